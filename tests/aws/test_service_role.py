"""The environment's `cloudformation_role` reaches CloudFormation as RoleARN on every change set
(deploy, import, plan preview: all go through `create_change_set`) and every delete, and no
RoleARN is sent when the manifest names none."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from orchestrator.aws.cloudformation import CloudFormationStacks
from orchestrator.connect import open_environment
from orchestrator.engine.ports import ChangeSetRequest
from orchestrator.validation import load_checked

ROLE = "arn:aws:iam::123456789012:role/firefly-cloudformation"
MOTO_ACCOUNT = "123456789012"
TEMPLATE = '{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}'


def request(change_set_type: str = "CREATE") -> ChangeSetRequest:
    return ChangeSetRequest("app", "firefly-1", change_set_type, TEMPLATE, {}, {}, (), ())


def stubbed(service_role: str | None) -> tuple[CloudFormationStacks, Stubber]:
    client = boto3.Session(
        aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1"
    ).client("cloudformation")
    return CloudFormationStacks(client, service_role=service_role), Stubber(client)


def change_set_params(**role: str) -> dict[str, Any]:
    return {
        "StackName": "app",
        "ChangeSetName": "firefly-1",
        "ChangeSetType": ANY,
        "TemplateBody": TEMPLATE,
        "Parameters": [],
        "Tags": [],
        "Capabilities": [],
        **role,
    }


@pytest.mark.parametrize("change_set_type", ["CREATE", "UPDATE", "IMPORT"])
def test_every_change_set_is_made_under_the_service_role(change_set_type: str) -> None:
    stacks, stubber = stubbed(ROLE)
    stubber.add_response("create_change_set", {"Id": "cs"}, change_set_params(RoleARN=ROLE))
    with stubber:
        stacks.create_change_set(request(change_set_type))
    stubber.assert_no_pending_responses()


def test_the_delete_is_made_under_the_service_role() -> None:
    stacks, stubber = stubbed(ROLE)
    stubber.add_response("delete_stack", {}, {"StackName": "app", "RoleARN": ROLE})
    with stubber:
        stacks.delete_stack("app")
    stubber.assert_no_pending_responses()


def test_rollbacks_are_made_under_the_service_role() -> None:
    stacks, stubber = stubbed(ROLE)
    stubber.add_response("rollback_stack", {}, {"StackName": "app", "RoleARN": ROLE})
    stubber.add_response(
        "continue_update_rollback",
        {},
        {"StackName": "app", "ResourcesToSkip": ["Queue"], "RoleARN": ROLE},
    )
    with stubber:
        stacks.rollback_stack("app")
        stacks.continue_update_rollback("app", ["Queue"])
    stubber.assert_no_pending_responses()


def test_without_a_service_role_no_role_arn_is_sent() -> None:
    # The Stubber compares the parameters exactly: a RoleARN would fail both calls.
    stacks, stubber = stubbed(None)
    stubber.add_response("create_change_set", {"Id": "cs"}, change_set_params())
    stubber.add_response("delete_stack", {}, {"StackName": "app"})
    with stubber:
        stacks.create_change_set(request())
        stacks.delete_stack("app")
    stubber.assert_no_pending_responses()


@pytest.fixture
def moto_account(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


def sent(client: Any, operation: str) -> list[dict[str, Any]]:
    """The parameters of every `operation` the client sends from now on."""
    calls: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.append(dict(params))

    client.meta.events.register(f"provide-client-params.cloudformation.{operation}", record)
    return calls


@pytest.mark.usefixtures("moto_account")
@pytest.mark.parametrize("role_line", [f"cloudformation_role: {ROLE}", ""])
def test_the_environments_role_reaches_cloudformation_over_moto(
    write_manifest: Callable[[str], Path], role_line: str
) -> None:
    path = write_manifest(f"""
        version: 1
        project: demo
        environments:
          dev:
            region: us-east-1
            account: "{MOTO_ACCOUNT}"
            {role_line}
        workflows:
          app: {{type: cloudformation, template: t.yaml, description: The app.}}
    """)
    connection = open_environment(load_checked(path), "dev", notice=lambda _: None)
    client = connection.clients.cloudformation
    created, deleted = sent(client, "CreateChangeSet"), sent(client, "DeleteStack")

    change_set = connection.stacks.create_change_set(request())
    client.execute_change_set(ChangeSetName=change_set)
    connection.stacks.delete_stack("app")

    expected = [ROLE] if role_line else [None]
    assert [call.get("RoleARN") for call in created] == expected
    assert [call.get("RoleARN") for call in deleted] == expected
