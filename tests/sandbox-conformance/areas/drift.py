"""Drift: DetectStackDrift and what it reports, as the CloudFormation API Reference documents it
(StackDriftInformation, StackResourceDrift, PropertyDifference): an untouched stack is IN_SYNC; a
table whose TTL was turned off outside CloudFormation is DRIFTED, its resource MODIFIED with a
`/TimeToLiveSpecification/Enabled` NOT_EQUAL difference; a deleted table is DELETED; DescribeStacks
then carries the stack's DriftInformation; and "only resource properties explicitly defined in
the stack template are checked for drift", so a setting the template leaves alone is not drift."""

from __future__ import annotations

from engine import Engine, Verdicts, items
from fixtures import KEY

from stacks import create, describe_stack

AREA = "drift"
TTL = {"TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"}}
TTL_OFF = {"Enabled": False, "AttributeName": "expires"}


def table_stack(engine: Engine, stem: str, **properties: object) -> str:
    """A stack holding one table `T` (named after the stack); its name."""
    name = engine.name(stem)
    table = {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": name, **KEY, **properties}}
    status = create(engine, name, {"Resources": {"T": table}})["StackStatus"]
    if status != "CREATE_COMPLETE":
        raise AssertionError(f"stack {name} ended {status}")
    return name


def detect(engine: Engine, stack: str) -> dict:
    """DetectStackDrift, then its status once DescribeStackDriftDetectionStatus leaves
    DETECTION_IN_PROGRESS (or as it is when patience ran out)."""
    cfn = engine.client("cloudformation")
    detection_id = cfn.detect_stack_drift(StackName=stack)["StackDriftDetectionId"]
    return engine.until(
        lambda: cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection_id),
        lambda status: status["DetectionStatus"] != "DETECTION_IN_PROGRESS",
    )


def table_drift(engine: Engine, stack: str) -> dict:
    drifts = engine.client("cloudformation").describe_stack_resource_drifts(StackName=stack)
    return next(d for d in drifts["StackResourceDrifts"] if d["LogicalResourceId"] == "T")


def stack_status(status: dict) -> tuple:
    return status["DetectionStatus"], status.get("StackDriftStatus")


@items("in_sync", "in_sync_resource")
def untouched(engine: Engine, verdict: Verdicts) -> None:
    stack = table_stack(engine, "drift-same", **TTL)
    status = detect(engine, stack)
    verdict("in_sync", stack_status(status) == ("DETECTION_COMPLETE", "IN_SYNC"), status)
    drift = table_drift(engine, stack)
    verdict("in_sync_resource", drift["StackResourceDriftStatus"] == "IN_SYNC", drift)


@items("ttl_drifted", "ttl_difference", "drift_information")
def ttl_turned_off(engine: Engine, verdict: Verdicts) -> None:
    stack = table_stack(engine, "drift-ttl", **TTL)
    engine.client("dynamodb").update_time_to_live(TableName=stack, TimeToLiveSpecification=TTL_OFF)
    status = detect(engine, stack)
    verdict(
        "ttl_drifted",
        stack_status(status) == ("DETECTION_COMPLETE", "DRIFTED")
        and status.get("DriftedStackResourceCount") == 1,
        status,
    )
    drift = table_drift(engine, stack)
    seen = [
        (d["PropertyPath"], d["ExpectedValue"], d["ActualValue"], d["DifferenceType"])
        for d in drift.get("PropertyDifferences", [])
    ]
    verdict(
        "ttl_difference",
        drift["StackResourceDriftStatus"] == "MODIFIED"
        and seen == [("/TimeToLiveSpecification/Enabled", "true", "false", "NOT_EQUAL")],
        f"{drift['StackResourceDriftStatus']}: {seen}",
    )
    information = describe_stack(engine, stack).get("DriftInformation", {})
    verdict(
        "drift_information",
        information.get("StackDriftStatus") == "DRIFTED" and "LastCheckTimestamp" in information,
        information,
    )


@items("deleted")
def table_deleted(engine: Engine, verdict: Verdicts) -> None:
    stack = table_stack(engine, "drift-gone")
    engine.client("dynamodb").delete_table(TableName=stack)
    status = detect(engine, stack)
    drift = table_drift(engine, stack)
    verdict(
        "deleted",
        stack_status(status) == ("DETECTION_COMPLETE", "DRIFTED")
        and drift["StackResourceDriftStatus"] == "DELETED",
        f"stack {status.get('StackDriftStatus')}; table {drift['StackResourceDriftStatus']}",
    )


@items("defaults_not_drift")
def unset_property_changed(engine: Engine, verdict: Verdicts) -> None:
    stack = table_stack(engine, "drift-unset")  # no TTL, deletion protection or tags
    engine.client("dynamodb").update_time_to_live(
        TableName=stack, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
    )
    status = detect(engine, stack)
    drift = table_drift(engine, stack)
    verdict(
        "defaults_not_drift",
        stack_status(status) == ("DETECTION_COMPLETE", "IN_SYNC")
        and drift["StackResourceDriftStatus"] == "IN_SYNC",
        f"stack {status.get('StackDriftStatus')}; table {drift}",
    )


CHECKS = [untouched, ttl_turned_off, table_deleted, unset_property_changed]
