"""Seed 003: a build INSERT on the builds table's stream starts the deployment state machine."""

from __future__ import annotations

from typing import Any

from orchestrator.aws.integration.support import CheckContext, CheckFailure, expect

WORKFLOW = "func-trigger-build"
REPO = "firefly-integration-tests"
# The state machine records its outcome on the build as soon as it ends, so by the time the
# suite reads the item it may already have moved on from IN_PROGRESS: every one of these means
# trigger-build claimed the build and recorded the execution it started.
STARTED = {"IN_PROGRESS", "SUCCESS"}


def _insert(ctx: CheckContext, table: str) -> dict[str, dict[str, str]]:
    """A PENDING build of this run, as the s3-trigger writes it; deleted at the end."""
    key = {"pk": {"S": f"{REPO}/{ctx.deployment.env_name}"}, "sk": {"S": ctx.unique("build")}}
    dynamodb = ctx.deployment.client("dynamodb")
    ctx.defer("delete the build", lambda: dynamodb.delete_item(TableName=table, Key=key))
    dynamodb.put_item(
        TableName=table,
        Item={
            **key,
            "repo": {"S": REPO},
            "env": {"S": ctx.deployment.env_name},
            "branch": {"S": "main"},
            "version": {"S": ctx.run_id},
            "commit_hash": {"S": "0" * 40},
            "status": {"S": "PENDING"},
        },
    )
    return key


def _claimed(ctx: CheckContext, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    """The build once trigger-build has handled it (no longer PENDING), else None."""
    item: dict[str, Any] = (
        ctx.deployment.client("dynamodb")
        .get_item(TableName=table, Key=key, ConsistentRead=True)
        .get("Item", {})
    )
    status = item.get("status", {}).get("S")
    if status == "FAILED" and "execution_arn" not in item:
        message = item.get("error_msg", {}).get("S", "")
        raise CheckFailure(f"trigger-build marked the build FAILED: {message[:300]}")
    return None if status == "PENDING" else item


def _stop_if_running(ctx: CheckContext, execution_arn: str) -> None:
    stepfunctions = ctx.deployment.client("stepfunctions")
    if stepfunctions.describe_execution(executionArn=execution_arn)["status"] == "RUNNING":
        stepfunctions.stop_execution(executionArn=execution_arn, error="IntegrationTestCleanup")


def build_insert_starts_execution(ctx: CheckContext) -> None:
    """INSERT PENDING → the stream delivers it → an execution starts → IN_PROGRESS with its ARN."""
    table = ctx.deployment.output("dynamodb-builds", "TableName")
    state_machine = ctx.deployment.output("state-machine-deployment", "StateMachineArn")
    key = _insert(ctx, table)
    build = ctx.wait_for(
        f"the build leaving PENDING (stream delivery to {ctx.deployment.function(WORKFLOW)})",
        lambda: _claimed(ctx, table, key),
    )
    status = build.get("status", {}).get("S")
    execution_arn = build.get("execution_arn", {}).get("S")
    expect(
        bool(execution_arn) or status != "SUCCESS",
        "the build is SUCCESS with no execution_arn: the execution recorded its outcome "
        "before trigger-build recorded the execution (it marks IN_PROGRESS only after "
        "StartExecution), so the build does not say which execution deployed it",
    )
    expect(
        status in STARTED and bool(execution_arn),
        f"the build is {status!r} with execution_arn {execution_arn!r}",
    )
    ctx.defer("stop the execution", lambda: _stop_if_running(ctx, str(execution_arn)))
    execution = ctx.deployment.client("stepfunctions").describe_execution(
        executionArn=execution_arn
    )
    expect(
        execution.get("stateMachineArn") == state_machine,
        f"execution {execution_arn} belongs to {execution.get('stateMachineArn')!r}",
    )


CHECKS = (build_insert_starts_execution,)
