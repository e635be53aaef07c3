"""cfn_s3_buckets: VersioningConfiguration and AWS::S3::BucketPolicy applied; buckets imported."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

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
