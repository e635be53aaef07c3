"""The rollback calls of the CloudFormation adapter: DisableRollback on execution, and the
resources a rollback failed on, read from the events (botocore's Stubber stands in)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.aws.test_change_set_calls import ARN, stubbed

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def event(logical_id: str, status: str, reason: str = "", kind: str = "AWS::SQS::Queue") -> Any:
    return {
        "StackId": "id",
        "EventId": f"{logical_id}-{status}",
        "StackName": "app",
        "LogicalResourceId": logical_id,
        "ResourceType": kind,
        "ResourceStatus": status,
        "ResourceStatusReason": reason,
        "Timestamp": NOW,
    }


def stack_event(status: str, reason: str = "") -> Any:
    return event("app", status, reason, "AWS::CloudFormation::Stack")


def test_no_rollback_executes_with_disable_rollback() -> None:
    stacks, stubber = stubbed()
    stubber.add_response("execute_change_set", {}, {"ChangeSetName": ARN, "DisableRollback": True})
    stubber.add_response("execute_change_set", {}, {"ChangeSetName": ARN})
    with stubber:
        stacks.execute_change_set(ARN, disable_rollback=True)
        stacks.execute_change_set(ARN)


def test_rollback_failures_are_those_since_the_latest_rollback_once_each() -> None:
    stacks, stubber = stubbed()
    newest_first = [
        stack_event("UPDATE_ROLLBACK_FAILED", "The following resource(s) failed to update: [Q]."),
        event("Q", "UPDATE_FAILED", "Queue gone again"),
        event("Q", "UPDATE_FAILED", "Queue gone"),
        event("Topic", "UPDATE_FAILED", "Resource update cancelled"),
        stack_event("UPDATE_ROLLBACK_IN_PROGRESS", "User Initiated"),
        event("Bad", "CREATE_FAILED", "invalid"),  # the update's failure, not the rollback's
        stack_event("UPDATE_IN_PROGRESS", "User Initiated"),
    ]
    stubber.add_response("describe_stack_events", {"StackEvents": newest_first})
    stubber.add_response(
        "continue_update_rollback", {}, {"StackName": "app", "ResourcesToSkip": ["Q"]}
    )
    stubber.add_response("rollback_stack", {"StackId": "id"}, {"StackName": "app"})
    with stubber:
        failures = stacks.rollback_failures("app")
        stacks.continue_update_rollback("app", ["Q"])
        stacks.rollback_stack("app")

    assert [(f.logical_id, f.reason) for f in failures] == [("Q", "Queue gone again")]
