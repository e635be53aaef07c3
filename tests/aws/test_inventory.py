"""The delete inventory over moto: the data a delete would destroy, counted, and emptied."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from orchestrator.aws.inventory import AwsInventory
from orchestrator.engine.ports import StackResource

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account, which owns the buckets the tests make


@pytest.fixture
def clients() -> Iterator[dict[str, Any]]:
    with mock_aws():
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        yield {name: session.client(name) for name in ("cloudformation", "dynamodb", "s3")}


def inventory(clients: dict[str, Any]) -> AwsInventory:
    """Pages of 2, so that a few objects take several listings and DeleteObjects calls."""
    s3, dynamodb = clients["s3"], clients["dynamodb"]
    return AwsInventory(clients["cloudformation"], dynamodb, s3, "artifacts", ACCOUNT, page_size=2)


def bucket(name: str) -> StackResource:
    return StackResource("Bucket", "AWS::S3::Bucket", name)


def test_a_versioned_bucket_counts_and_empties_every_version_and_marker(
    clients: dict[str, Any],
) -> None:
    s3 = clients["s3"]
    s3.create_bucket(Bucket="data")
    s3.put_bucket_versioning(Bucket="data", VersioningConfiguration={"Status": "Enabled"})
    for body in (b"one", b"two"):
        s3.put_object(Bucket="data", Key="fw.zip", Body=body)
    s3.delete_object(Bucket="data", Key="fw.zip")  # a delete marker: S3 still counts it
    for index in range(4):
        s3.put_object(Bucket="data", Key=f"k{index}", Body=b"x")
    listings: list[str] = []
    s3.meta.events.register(
        "before-call.s3.ListObjectVersions", lambda **_: listings.append("list")
    )
    found = inventory(clients)

    assert found.stored_count(bucket("data")) == 7
    assert len(listings) >= 4  # it followed the pages
    assert found.empty_bucket("data") == 7
    assert found.stored_count(bucket("data")) == 0
    s3.delete_bucket(Bucket="data")  # S3 itself now agrees that it is empty


def test_a_table_counts_its_items_and_what_is_gone_counts_as_nothing(
    clients: dict[str, Any],
) -> None:
    clients["dynamodb"].create_table(
        TableName="items",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    for index in range(3):
        clients["dynamodb"].put_item(TableName="items", Item={"pk": {"S": str(index)}})
    found = inventory(clients)

    assert found.stored_count(StackResource("T", "AWS::DynamoDB::Table", "items")) == 3
    assert found.stored_count(StackResource("T", "AWS::DynamoDB::Table", "gone")) is None
    assert found.stored_count(bucket("gone")) is None
    assert found.stored_count(StackResource("R", "AWS::IAM::Role", "role")) is None


def test_a_stack_s_resources_are_listed_once_for_the_whole_preflight(
    clients: dict[str, Any],
) -> None:
    """The preflight asks for a stack's resources three times (retained ones, protected tables,
    stored data); ListStackResources is paid once."""
    template = {
        "Resources": {
            "Kept": {
                "Type": "AWS::S3::Bucket",
                "DeletionPolicy": "Retain",
                "Properties": {"BucketName": "kept"},
            },
            "Gone": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "gone"}},
        }
    }
    clients["cloudformation"].create_stack(StackName="demo", TemplateBody=json.dumps(template))
    listings: list[str] = []
    clients["cloudformation"].meta.events.register(
        "before-call.cloudformation.ListStackResources", lambda **_: listings.append("list")
    )
    found = inventory(clients)

    retained = found.retained("demo")
    protected = found.deletion_protected_tables("demo")
    everything = found.resources("demo")

    assert [r.logical_id for r in retained] == ["Kept"]
    assert protected == []
    assert sorted(r.logical_id for r in everything) == ["Gone", "Kept"]
    assert listings == ["list"]


def test_a_preflight_describes_each_stack_and_reads_each_template_once(
    clients: dict[str, Any],
) -> None:
    cloudformation = clients["cloudformation"]
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"Arn": {"Value": {"Ref": "Topic"}}},  # moto has no ListImports
    }
    cloudformation.create_stack(StackName="demo", TemplateBody=json.dumps(template))
    sent: list[str] = []
    cloudformation.meta.events.register(
        "before-call.cloudformation.*", lambda model, **_: sent.append(model.name)
    )
    stock = inventory(clients)

    for _ in range(2):
        assert stock.termination_protected("demo") is False
        assert stock.foreign_importers("demo", {"demo"}) == {}
        assert stock.artifact_keys("demo") == set()

    assert sent.count("DescribeStacks") == 1 and sent.count("GetTemplate") == 1
