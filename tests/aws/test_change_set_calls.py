"""Change-set calls that a retry can repeat, and waits that a throttled look must not fail
(botocore's Stubber stands in for CloudFormation: it answers what moto cannot produce)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from orchestrator.aws.cloudformation import CloudFormationStacks
from orchestrator.engine.ports import ChangeSetRequest
from orchestrator.errors import OrchestratorError

ARN = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/firefly-create-1/abc"


def stubbed() -> tuple[CloudFormationStacks, Stubber]:
    client = boto3.Session(
        aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1"
    ).client("cloudformation")
    return CloudFormationStacks(client, first_interval=0.001, max_interval=0.002), Stubber(client)


def request() -> ChangeSetRequest:
    return ChangeSetRequest("app", "firefly-create-1", "CREATE", "{}", {}, {}, (), ())


def described(status: str, **extra: Any) -> dict[str, Any]:
    return {"ChangeSetId": ARN, "ChangeSetName": "firefly-create-1", "Status": status, **extra}


def test_a_change_set_created_by_an_attempt_lost_on_the_wire_is_used() -> None:
    stacks, stubber = stubbed()
    stubber.add_client_error(
        "create_change_set", "AlreadyExistsException", "ChangeSet [firefly-create-1] already exists"
    )
    stubber.add_response(
        "describe_change_set",
        described("CREATE_PENDING"),
        {"ChangeSetName": "firefly-create-1", "StackName": "app"},
    )
    with stubber:
        assert stacks.create_change_set(request()) == ARN


def test_a_create_for_a_stack_that_exists_stays_a_refusal() -> None:
    stacks, stubber = stubbed()
    stubber.add_client_error(
        "create_change_set", "AlreadyExistsException", "Stack [app] already exists"
    )
    stubber.add_client_error("describe_change_set", "ChangeSetNotFound", "no such change set")
    with stubber, pytest.raises(OrchestratorError, match=r"CreateChangeSet failed: Stack \[app\]"):
        stacks.create_change_set(request())


def test_throttled_and_failed_looks_at_a_change_set_are_looked_at_again() -> None:
    stacks, stubber = stubbed()
    stubber.add_client_error("describe_change_set", "Throttling", "Rate exceeded", 400)
    stubber.add_response("describe_change_set", described("CREATE_IN_PROGRESS"))
    stubber.add_client_error("describe_change_set", "InternalFailure", "oops", 500)
    stubber.add_response("describe_change_set", described("CREATE_COMPLETE", Changes=[]))
    with stubber:
        assert stacks.wait_change_set(ARN).status == "CREATE_COMPLETE"


def test_a_refused_look_at_a_change_set_fails_the_workflow() -> None:
    stacks, stubber = stubbed()
    stubber.add_client_error("describe_change_set", "AccessDenied", "not allowed", 403)
    with stubber, pytest.raises(OrchestratorError, match="DescribeChangeSet failed: not allowed"):
        stacks.wait_change_set(ARN)


def test_an_execution_a_retry_finds_running_is_executed() -> None:
    stacks, stubber = stubbed()
    stubber.add_client_error(
        "execute_change_set",
        "InvalidChangeSetStatus",
        "ChangeSet [x] cannot be executed in its current execution status of [EXECUTE_IN_PROGRESS]",
        expected_params={"ChangeSetName": ANY},
    )
    with stubber:
        stacks.execute_change_set(ARN)
    stubber.add_client_error(
        "execute_change_set",
        "InvalidChangeSetStatus",
        "ChangeSet [x] cannot be executed in its current status of [FAILED]",
    )
    with stubber, pytest.raises(OrchestratorError, match="current status of"):
        stacks.execute_change_set(ARN)


def test_an_awaited_stacks_change_set_is_watched_as_awaited() -> None:
    stacks, stubber = stubbed()
    stubber.add_response("create_change_set", {"Id": ARN, "StackId": "id-app"})
    stubber.add_response("describe_change_set", described("CREATE_COMPLETE", Changes=[]))
    stacks.prioritise({"app"})
    watched: list[tuple[str, str]] = []
    watch = stacks.poller.watch_change_set

    def recording(change_set_id: str, stack: str = "") -> Any:
        watched.append((change_set_id, stack))
        return watch(change_set_id, stack)

    stacks.poller.watch_change_set = recording  # type: ignore[method-assign]
    with stubber:
        stacks.wait_change_set(stacks.create_change_set(request()))

    # the poller knows whose change set it is, so the stack's priority reaches its looks
    assert watched == [(ARN, "app")]
