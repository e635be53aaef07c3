"""cfn_dynamodb_tables: TimeToLiveSpecification applied, updates made in place, a missing key
schema named in the failure."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.sandbox.cfn_support import KEY, create, resource_events, settle, unique

Aws = Callable[[str], Any]


def table(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "Resources": {
            "T": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": name, **KEY, **extra}}
        }
    }


def test_ttl_and_an_in_place_update(aws: Aws) -> None:
    cfn, ddb, name = aws("cloudformation"), aws("dynamodb"), unique("ttl")
    ttl = {"TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"}}
    create(cfn, name, table(name, **ttl))
    created = ddb.describe_table(TableName=name)["Table"]["CreationDateTime"]
    cfn.update_stack(
        StackName=name, TemplateBody=json.dumps(table(name, DeletionProtectionEnabled=True, **ttl))
    )
    found = ddb.describe_table(TableName=name)["Table"]

    assert settle(cfn, name)["StackStatus"] == "UPDATE_COMPLETE"
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "expires",
    }
    assert found["DeletionProtectionEnabled"] is True
    assert found["CreationDateTime"] == created
    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)


def test_missing_key_schema_is_named(aws: Aws) -> None:
    cfn, name = aws("cloudformation"), unique("nokey")
    template = {
        "Resources": {
            "T": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {"TableName": name, "BillingMode": "PAY_PER_REQUEST"},
            }
        }
    }
    done = create(cfn, name, template)
    reasons = [why for lid, status, why in resource_events(cfn, name) if status == "CREATE_FAILED"]

    assert done["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "KeySchema" in reasons[0]


def test_tags_follow_the_template_on_create_and_update(aws: Aws) -> None:
    """CloudFormation applies a table's Tags on create, and on update adds, changes and removes
    the tags the template manages (AWS::DynamoDB::Table, Tags: update requires no
    interruption)."""
    cfn, ddb, name = aws("cloudformation"), aws("dynamodb"), unique("tags")

    def tags() -> dict[str, str]:
        arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
        return {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}

    def update(*pairs: tuple[str, str]) -> str:
        body = table(name, Tags=[{"Key": k, "Value": v} for k, v in pairs])
        cfn.update_stack(StackName=name, TemplateBody=json.dumps(body))
        return str(settle(cfn, name)["StackStatus"])

    create(cfn, name, table(name, Tags=[{"Key": "team", "Value": "firmware"}]))
    assert tags() == {"team": "firmware"}

    assert update(("team", "platform"), ("cost", "dev")) == "UPDATE_COMPLETE"
    assert tags() == {"team": "platform", "cost": "dev"}

    assert update(("cost", "dev")) == "UPDATE_COMPLETE"
    assert tags() == {"cost": "dev"}


def _recovery(ddb: Any, name: str) -> str:
    backups = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    return str(backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"])


def test_point_in_time_recovery_follows_the_template(aws: Aws) -> None:
    cfn, ddb, name = aws("cloudformation"), aws("dynamodb"), unique("pitr")
    create(cfn, name, table(name))
    before = _recovery(ddb, name)
    pitr = {"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}}
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(table(name, **pitr)))
    updated = settle(cfn, name)["StackStatus"]
    after = _recovery(ddb, name)
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(table(name)))
    settle(cfn, name)

    assert (before, updated, after) == ("DISABLED", "UPDATE_COMPLETE", "ENABLED")
    assert _recovery(ddb, name) == "DISABLED"
