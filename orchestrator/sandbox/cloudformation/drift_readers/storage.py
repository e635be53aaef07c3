"""Readers of stored data and its settings: DynamoDB tables, S3 buckets and their policies, SSM
parameters and log groups."""

from __future__ import annotations

from typing import Any

from orchestrator.sandbox.cloudformation.drift_readers.shapes import Properties, document, tags


def dynamodb_table(
    account_id: str, region: str, name: str, properties: Properties
) -> Properties | None:
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends[account_id][region].tables.get(name)
    if table is None:
        return None
    ttl = table.ttl
    time_to_live: dict[str, Any] = {"Enabled": ttl.get("TimeToLiveStatus") == "ENABLED"}
    if ttl.get("AttributeName"):
        time_to_live["AttributeName"] = ttl["AttributeName"]
    recovery = table.continuous_backups["PointInTimeRecoveryDescription"]
    return {
        "TableName": table.name,
        "BillingMode": table.billing_mode,
        "DeletionProtectionEnabled": bool(table.deletion_protection_enabled),
        "TimeToLiveSpecification": time_to_live,
        "PointInTimeRecoverySpecification": {
            "PointInTimeRecoveryEnabled": recovery["PointInTimeRecoveryStatus"] == "ENABLED"
        },
        "Tags": tags(table.tags),
    }


def s3_bucket(account_id: str, region: str, name: str, properties: Properties) -> Properties | None:
    from moto.s3.models import s3_backends

    backend = s3_backends[account_id]["aws"]
    if name not in backend.buckets:
        return None
    status = backend.get_bucket_versioning(name)
    return {
        "BucketName": name,
        "VersioningConfiguration": {"Status": status} if status else None,
        "Tags": tags(backend.get_bucket_tagging(name).get("Tags")),
    }


def ssm_parameter(
    account_id: str, region: str, name: str, properties: Properties
) -> Properties | None:
    from moto.ssm.models import ssm_backends

    parameter = ssm_backends[account_id][region].get_parameter(name)
    if parameter is None:
        return None
    return {
        "Name": parameter.name,
        "Type": parameter.parameter_type,
        "Value": parameter.value,
        "Description": parameter.description,
    }


def log_group(account_id: str, region: str, name: str, properties: Properties) -> Properties | None:
    from moto.logs.models import logs_backends

    group = logs_backends[account_id][region].groups.get(name)
    if group is None:
        return None
    return {"LogGroupName": group.name, "RetentionInDays": group.retention_in_days}


def bucket_policy(
    account_id: str, region: str, name: str, properties: Properties
) -> Properties | None:
    """The policy of the template's bucket (the resource's own name is only a label)."""
    from moto.s3.models import s3_backends

    bucket = s3_backends[account_id]["aws"].buckets.get(str(properties.get("Bucket")))
    if bucket is None or not bucket.policy:
        return None
    return {"Bucket": bucket.name, "PolicyDocument": document(bucket.policy.decode())}


READERS = {
    "AWS::DynamoDB::Table": dynamodb_table,
    "AWS::S3::Bucket": s3_bucket,
    "AWS::S3::BucketPolicy": bucket_policy,
    "AWS::SSM::Parameter": ssm_parameter,
    "AWS::Logs::LogGroup": log_group,
}
