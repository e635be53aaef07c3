"""cfn_s3_buckets: VersioningConfiguration and AWS::S3::BucketPolicy applied; buckets imported."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.sandbox.cfn_support import change_set, create, settle, unique

Aws = Callable[[str], Any]


def test_versioning_and_policy(aws: Aws) -> None:
    cfn, s3, name = aws("cloudformation"), aws("s3"), unique("bucket")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Deny",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": {"Fn::GetAtt": ["B", "Arn"]},
            }
        ],
    }
    create(
        cfn,
        name,
        {
            "Resources": {
                "B": {
                    "Type": "AWS::S3::Bucket",
                    "Properties": {
                        "BucketName": name,
                        "VersioningConfiguration": {"Status": "Enabled"},
                    },
                },
                "P": {
                    "Type": "AWS::S3::BucketPolicy",
                    "Properties": {"Bucket": {"Ref": "B"}, "PolicyDocument": policy},
                },
            }
        },
    )
    stored = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])

    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    assert [s["Sid"] for s in stored["Statement"]] == ["Deny"]


def test_import_bucket(aws: Aws) -> None:
    cfn, s3, name = aws("cloudformation"), aws("s3"), unique("legacy")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="k", Body=b"kept")
    template = {
        "Resources": {
            "B": {
                "Type": "AWS::S3::Bucket",
                "DeletionPolicy": "Retain",
                "Properties": {"BucketName": name},
            }
        }
    }
    change_set(
        cfn,
        name,
        template,
        kind="IMPORT",
        ResourcesToImport=[
            {
                "ResourceType": "AWS::S3::Bucket",
                "LogicalResourceId": "B",
                "ResourceIdentifier": {"BucketName": name},
            }
        ],
    )
    cfn.execute_change_set(StackName=name, ChangeSetName="deploy")

    assert settle(cfn, name)["StackStatus"] == "IMPORT_COMPLETE"
    assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"kept"


def bucket_stack(name: str, versioned: bool = False) -> dict[str, Any]:
    properties: dict[str, Any] = {"BucketName": name}
    if versioned:
        properties["VersioningConfiguration"] = {"Status": "Enabled"}
    return {
        "Resources": {
            "B": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Delete", "Properties": properties}
        }
    }


def deleted(cfn: Any, stack_id: str) -> dict[str, Any]:
    cfn.delete_stack(StackName=stack_id)
    return settle(cfn, stack_id)


@pytest.mark.parametrize("versioned", [False, True])
def test_a_stack_delete_with_a_non_empty_bucket_ends_delete_failed(
    aws: Aws, versioned: bool
) -> None:
    """S3 refuses to delete a bucket that holds objects (or, versioned, any object version or
    delete marker): the stack ends DELETE_FAILED with S3's reason, the bucket and its data stay,
    and a delete once the bucket is empty completes. AWS CloudFormation user guide,
    troubleshooting "Delete stack fails"; S3 API reference, DeleteBucket (BucketNotEmpty)."""
    cfn, s3, name = aws("cloudformation"), aws("s3"), unique("full")
    stack_id = create(cfn, name, bucket_stack(name, versioned))["StackId"]
    s3.put_object(Bucket=name, Key="firmware.zip", Body=b"data")
    if versioned:
        s3.delete_object(Bucket=name, Key="firmware.zip")  # a delete marker over one version

    failed = deleted(cfn, stack_id)

    assert failed["StackStatus"] == "DELETE_FAILED"
    [event] = [
        e
        for e in cfn.describe_stack_events(StackName=stack_id)["StackEvents"]
        if e["LogicalResourceId"] == "B" and e["ResourceStatus"] == "DELETE_FAILED"
    ]
    assert "The bucket you tried to delete is not empty" in event["ResourceStatusReason"]
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]

    versions = s3.list_object_versions(Bucket=name)
    doomed = versions.get("Versions", []) + versions.get("DeleteMarkers", [])
    assert doomed
    s3.delete_objects(
        Bucket=name,
        Delete={"Objects": [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in doomed]},
    )
    assert deleted(cfn, stack_id)["StackStatus"] == "DELETE_COMPLETE"
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
