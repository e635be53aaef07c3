"""Rollback control on the stack engine: DisableRollback keeps a failed stack, the next update
continues it, RollbackStack rolls it back, and a rollback that cannot put a resource back ends
UPDATE_ROLLBACK_FAILED until ContinueUpdateRollback skips it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.sandbox.cfn_support import (
    change_set,
    create,
    error_code,
    resource_events,
    settle,
    unique,
)

Aws = Callable[[str], Any]
BAD = {"Type": "AWS::SQS::Queue", "DependsOn": "Ok", "Properties": {"VisibilityTimeout": "abc"}}


def queue(name: str, timeout: int) -> dict[str, Any]:
    return {
        "Type": "AWS::SQS::Queue",
        "Properties": {"QueueName": name, "VisibilityTimeout": timeout},
    }


def execute(cfn: Any, stack: str, template: dict[str, Any], kind: str = "UPDATE") -> dict[str, Any]:
    name = "cs" + unique("x")[2:8]
    change_set(cfn, stack, template, name=name, kind=kind)
    cfn.execute_change_set(StackName=stack, ChangeSetName=name, DisableRollback=True)
    return settle(cfn, stack)


def timeout_of(aws: Aws, name: str) -> str:
    sqs = aws("sqs")
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return str(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"][
            "VisibilityTimeout"
        ]
    )


def failed_update(aws: Aws) -> tuple[Any, str]:
    """A stack whose update (queue Ok 30 -> 60, then Bad) failed with rollback disabled."""
    cfn, stack = aws("cloudformation"), unique("keep")
    create(cfn, stack, {"Resources": {"Ok": queue(stack, 30)}})
    done = execute(cfn, stack, {"Resources": {"Ok": queue(stack, 60), "Bad": BAD}})
    assert done["StackStatus"] == "UPDATE_FAILED"
    return cfn, stack


def test_a_failed_update_with_rollback_disabled_keeps_what_it_changed(aws: Aws) -> None:
    cfn, stack = failed_update(aws)

    assert timeout_of(aws, stack) == "60"
    assert ("Bad", "CREATE_FAILED") in {(lid, s) for lid, s, _ in resource_events(cfn, stack)}


def test_the_next_update_continues_from_update_failed(aws: Aws) -> None:
    cfn, stack = failed_update(aws)
    fixed = {"Resources": {"Ok": queue(stack, 90), "Good": {"Type": "AWS::SQS::Queue"}}}

    assert execute(cfn, stack, fixed)["StackStatus"] == "UPDATE_COMPLETE"
    assert timeout_of(aws, stack) == "90"
    assert {
        r["LogicalResourceId"]
        for r in cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    } == {"Ok", "Good"}


def test_rollback_stack_returns_an_update_failed_stack_to_its_stable_state(aws: Aws) -> None:
    cfn, stack = failed_update(aws)

    cfn.rollback_stack(StackName=stack)

    assert settle(cfn, stack)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert timeout_of(aws, stack) == "30"


def test_a_create_failed_stack_is_updated_or_rolled_back(aws: Aws) -> None:
    cfn, fixed_stack, dropped = aws("cloudformation"), unique("cf"), unique("cf")
    for stack in (fixed_stack, dropped):
        done = execute(cfn, stack, {"Resources": {"Ok": queue(stack, 30), "Bad": BAD}}, "CREATE")
        assert done["StackStatus"] == "CREATE_FAILED"
        assert timeout_of(aws, stack) == "30"

    fixed = execute(cfn, fixed_stack, {"Resources": {"Ok": queue(fixed_stack, 30)}})
    cfn.rollback_stack(StackName=dropped)

    assert fixed["StackStatus"] == "UPDATE_COMPLETE"
    assert settle(cfn, dropped)["StackStatus"] == "ROLLBACK_COMPLETE"
    assert error_code(lambda: aws("sqs").get_queue_url(QueueName=dropped)) is not None


def test_a_resource_deleted_out_of_band_fails_the_rollback_until_skipped(aws: Aws) -> None:
    cfn, stack = failed_update(aws)
    sqs = aws("sqs")
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=stack)["QueueUrl"])

    cfn.rollback_stack(StackName=stack)
    stuck = settle(cfn, stack)
    wrong_skip = error_code(
        lambda: cfn.continue_update_rollback(StackName=stack, ResourcesToSkip=["Bad"])
    )
    cfn.continue_update_rollback(StackName=stack, ResourcesToSkip=["Ok"])

    assert stuck["StackStatus"] == "UPDATE_ROLLBACK_FAILED"
    assert "[Ok]" in stuck["StackStatusReason"]
    assert wrong_skip == "ValidationError"
    assert settle(cfn, stack)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert resource_events(cfn, stack)[-1][:2] == ("Ok", "UPDATE_COMPLETE")
    ok = cfn.describe_stack_resource(StackName=stack, LogicalResourceId="Ok")
    assert ok["StackResourceDetail"]["ResourceStatus"] == "UPDATE_COMPLETE"


def test_only_failed_stacks_roll_back(aws: Aws) -> None:
    cfn, stack = aws("cloudformation"), unique("ok")
    create(cfn, stack, {"Resources": {"Ok": queue(stack, 30)}})

    assert error_code(lambda: cfn.rollback_stack(StackName=stack)) == "ValidationError"
    assert error_code(lambda: cfn.continue_update_rollback(StackName=stack)) == "ValidationError"
