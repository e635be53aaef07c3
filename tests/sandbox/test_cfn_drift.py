"""cfn_drift: a table changed outside CloudFormation is DRIFTED, per property, with both values;
defaults the template does not set are not drift; a deleted resource is DELETED; a type without a
reader is NOT_CHECKED."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.sandbox.cfn_support import KEY, change_set, create, settle, unique
from tests.waiting import wait_until

Aws = Callable[[str], Any]
TTL = {"TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"}}


def table_stack(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "Resources": {
            "T": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {"TableName": name, **KEY, **extra},
            },
            "Topic": {"Type": "AWS::SNS::Topic"},
        }
    }


def detected(cfn: Any, stack: str) -> dict[str, Any]:
    detection_id = cfn.detect_stack_drift(StackName=stack)["StackDriftDetectionId"]

    def complete() -> dict[str, Any] | None:
        status: dict[str, Any] = cfn.describe_stack_drift_detection_status(
            StackDriftDetectionId=detection_id
        )
        return status if status["DetectionStatus"] == "DETECTION_COMPLETE" else None

    return wait_until(complete, f"drift detection of {stack}")


def drift_of(cfn: Any, stack: str, logical_id: str) -> dict[str, Any]:
    drifts = cfn.describe_stack_resource_drifts(StackName=stack)["StackResourceDrifts"]
    return next(d for d in drifts if d["LogicalResourceId"] == logical_id)


def test_an_untouched_stack_is_in_sync(aws: Aws) -> None:
    cfn, name = aws("cloudformation"), unique("insync")
    create(cfn, name, table_stack(name, **TTL))

    status = detected(cfn, name)

    assert (status["StackDriftStatus"], status["DriftedStackResourceCount"]) == ("IN_SYNC", 0)
    assert drift_of(cfn, name, "T")["StackResourceDriftStatus"] == "IN_SYNC"
    assert drift_of(cfn, name, "Topic")["StackResourceDriftStatus"] == "NOT_CHECKED"
    information = cfn.describe_stacks(StackName=name)["Stacks"][0]["DriftInformation"]
    assert information["StackDriftStatus"] == "IN_SYNC"
    assert "LastCheckTimestamp" in information


def test_ttl_and_deletion_protection_changed_out_of_band_are_drift(aws: Aws) -> None:
    cfn, ddb, name = aws("cloudformation"), aws("dynamodb"), unique("drifted")
    create(cfn, name, table_stack(name, DeletionProtectionEnabled=False, **TTL))
    ddb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"}
    )
    ddb.update_table(TableName=name, DeletionProtectionEnabled=True)

    status = detected(cfn, name)
    drift = drift_of(cfn, name, "T")

    assert (status["StackDriftStatus"], status["DriftedStackResourceCount"]) == ("DRIFTED", 1)
    assert drift["StackResourceDriftStatus"] == "MODIFIED"
    assert sorted(
        (d["PropertyPath"], d["ExpectedValue"], d["ActualValue"], d["DifferenceType"])
        for d in drift["PropertyDifferences"]
    ) == [
        ("/DeletionProtectionEnabled", "false", "true", "NOT_EQUAL"),
        ("/TimeToLiveSpecification/Enabled", "true", "false", "NOT_EQUAL"),
    ]
    assert json.loads(drift["ExpectedProperties"])["TimeToLiveSpecification"]["Enabled"] is True
    assert json.loads(drift["ActualProperties"])["TimeToLiveSpecification"]["Enabled"] is False
    assert (
        cfn.describe_stacks(StackName=name)["Stacks"][0]["DriftInformation"]["StackDriftStatus"]
        == "DRIFTED"
    )
    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)


def test_a_default_the_template_leaves_unset_is_not_drift(aws: Aws) -> None:
    cfn, ddb, name = aws("cloudformation"), aws("dynamodb"), unique("defaults")
    create(cfn, name, table_stack(name))
    ddb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "gone"}
    )

    assert detected(cfn, name)["StackDriftStatus"] == "IN_SYNC"


def test_detect_stack_resource_drift_reads_one_resource_now(aws: Aws) -> None:
    cfn, ddb, name = aws("cloudformation"), aws("dynamodb"), unique("one")
    create(cfn, name, table_stack(name, Tags=[{"Key": "team", "Value": "fw"}]))
    ddb.tag_resource(
        ResourceArn=ddb.describe_table(TableName=name)["Table"]["TableArn"],
        Tags=[{"Key": "owner", "Value": "ops"}],
    )

    drift = cfn.detect_stack_resource_drift(StackName=name, LogicalResourceId="T")[
        "StackResourceDrift"
    ]

    assert drift["StackResourceDriftStatus"] == "MODIFIED"
    assert [(d["PropertyPath"], d["DifferenceType"]) for d in drift["PropertyDifferences"]] == [
        ("/Tags/1", "ADD")
    ]


def test_a_resource_deleted_out_of_band_is_deleted(aws: Aws) -> None:
    cfn, ddb, name = aws("cloudformation"), aws("dynamodb"), unique("gone")
    create(cfn, name, table_stack(name))
    ddb.delete_table(TableName=name)

    status = detected(cfn, name)

    assert status["StackDriftStatus"] == "DRIFTED"
    assert drift_of(cfn, name, "T")["StackResourceDriftStatus"] == "DELETED"


def test_log_group_retention_and_ssm_value_are_compared(aws: Aws) -> None:
    cfn, name = aws("cloudformation"), unique("lg")
    template = {
        "Resources": {
            "Logs": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"LogGroupName": f"/{name}", "RetentionInDays": 7},
            },
            "Param": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Name": f"/{name}/p", "Type": "String", "Value": "one"},
            },
        }
    }
    create(cfn, name, template)
    aws("logs").put_retention_policy(logGroupName=f"/{name}", retentionInDays=30)
    aws("ssm").put_parameter(Name=f"/{name}/p", Value="two", Type="String", Overwrite=True)

    detected(cfn, name)
    paths = {
        lid: [
            (d["PropertyPath"], d["ExpectedValue"], d["ActualValue"])
            for d in drift_of(cfn, name, lid)["PropertyDifferences"]
        ]
        for lid in ("Logs", "Param")
    }

    assert paths == {"Logs": [("/RetentionInDays", "7", "30")], "Param": [("/Value", "one", "two")]}


def test_a_revert_drift_change_set_puts_the_template_values_back(aws: Aws) -> None:
    cfn, ddb, name = aws("cloudformation"), aws("dynamodb"), unique("revert")
    template = table_stack(name, Tags=[{"Key": "team", "Value": "fw"}], **TTL)
    create(cfn, name, template)
    ddb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"}
    )
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "ops"}])

    changes = change_set(cfn, name, template, "revert", "UPDATE", DeploymentMode="REVERT_DRIFT")[
        "Changes"
    ]
    cfn.execute_change_set(StackName=name, ChangeSetName="revert")
    settle(cfn, name)

    assert [
        (c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"]) for c in changes
    ] == [("Modify", "T")]
    ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] == "ENABLED"
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "fw"}]
    assert detected(cfn, name)["StackDriftStatus"] == "IN_SYNC"


def test_a_plain_change_set_leaves_drift_alone(aws: Aws) -> None:
    cfn, ddb, name = aws("cloudformation"), aws("dynamodb"), unique("plain")
    template = table_stack(name, **TTL)
    create(cfn, name, template)
    ddb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"}
    )

    found = change_set(cfn, name, template, "plain", "UPDATE")

    assert found["Status"] == "FAILED"
    assert detected(cfn, name)["StackDriftStatus"] == "DRIFTED"
