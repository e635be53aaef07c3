"""An imported table set to its template's values over moto: what is corrected, what is not."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from orchestrator.aws.imported_tables import reassert_table

TEMPLATE = {
    "TableName": "keys",
    "DeletionProtectionEnabled": True,
    "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
    "StreamSpecification": {"StreamViewType": "NEW_IMAGE"},
    "Tags": [{"Key": "team", "Value": "firmware"}, {"Key": "stage", "Value": {"Ref": "Env"}}],
}


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client(
            "dynamodb",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        client.create_table(
            TableName="keys",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        )
        yield client


def test_a_table_found_bare_gets_the_template_s_guards(dynamodb: Any) -> None:
    corrections = reassert_table(dynamodb, "keys", TEMPLATE)

    table = dynamodb.describe_table(TableName="keys")["Table"]
    ttl = dynamodb.describe_time_to_live(TableName="keys")["TimeToLiveDescription"]
    tags = dynamodb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]
    backups = dynamodb.describe_continuous_backups(TableName="keys")["ContinuousBackupsDescription"]
    assert corrections == [
        "DeletionProtectionEnabled false -> true",
        "TimeToLiveSpecification disabled -> enabled on expires_at",
        "PointInTimeRecoverySpecification disabled -> enabled",
        "StreamSpecification disabled -> NEW_IMAGE",
        "Tags set: team",
    ]
    assert table["DeletionProtectionEnabled"] is True
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert tags == [{"Key": "team", "Value": "firmware"}]  # the computed tag is CloudFormation's
    assert reassert_table(dynamodb, "keys", TEMPLATE) == []  # nothing left to correct


def test_what_cannot_change_in_place_is_said_and_left(dynamodb: Any) -> None:
    dynamodb.update_time_to_live(
        TableName="keys", TimeToLiveSpecification={"AttributeName": "ttl", "Enabled": True}
    )
    dynamodb.update_table(
        TableName="keys",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    )
    wanted = {key: TEMPLATE[key] for key in ("TimeToLiveSpecification", "StreamSpecification")}

    corrections = reassert_table(dynamodb, "keys", wanted)

    assert corrections == [
        "TimeToLiveSpecification: TTL is on ttl, the template says expires_at; not changed "
        "(disable TTL, then deploy again)",
        "StreamSpecification: the stream is KEYS_ONLY, the template says NEW_IMAGE; not changed",
    ]
    ttl = dynamodb.describe_time_to_live(TableName="keys")["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "ttl"


def test_values_computed_by_intrinsics_are_left_to_cloudformation(dynamodb: Any) -> None:
    computed = {
        "DeletionProtectionEnabled": {"Fn::If": ["Prod", True, False]},
        "TimeToLiveSpecification": {"Fn::If": ["Prod", {"Enabled": True}, {}]},
    }

    assert reassert_table(dynamodb, "keys", computed) == []
    assert dynamodb.describe_table(TableName="keys")["Table"].get("DeletionProtectionEnabled") in (
        None,
        False,
    )
