"""Live resources read back in the shape of their template properties, for drift detection.

One reader per resource type: it returns the properties it can read (a property it cannot read is
left out, so it is never reported as drift), each `None` when the live resource no longer has it,
or `None` altogether when the resource is gone (DELETED). A type without a reader is NOT_CHECKED.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Reader = Callable[[str, str, str], dict[str, Any] | None]  # (account, region, physical id)


def _tags(pairs: list[dict[str, str]] | None) -> list[dict[str, str]] | None:
    return [{"Key": t["Key"], "Value": t["Value"]} for t in pairs] if pairs else None


def dynamodb_table(account_id: str, region: str, name: str) -> dict[str, Any] | None:
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
        "Tags": _tags(table.tags),
    }


def s3_bucket(account_id: str, region: str, name: str) -> dict[str, Any] | None:
    from moto.s3.models import s3_backends

    backend = s3_backends[account_id]["aws"]
    if name not in backend.buckets:
        return None
    status = backend.get_bucket_versioning(name)
    return {
        "BucketName": name,
        "VersioningConfiguration": {"Status": status} if status else None,
        "Tags": _tags(backend.get_bucket_tagging(name).get("Tags")),
    }


def ssm_parameter(account_id: str, region: str, name: str) -> dict[str, Any] | None:
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


def lambda_function(account_id: str, region: str, name: str) -> dict[str, Any] | None:
    from moto.awslambda.exceptions import UnknownFunctionException
    from moto.awslambda.models import lambda_backends

    try:
        function = lambda_backends[account_id][region].get_function(name)
    except UnknownFunctionException:
        return None
    variables = function.environment_vars
    return {
        "FunctionName": function.function_name,
        "Timeout": function.timeout,
        "MemorySize": function.memory_size,
        "Environment": {"Variables": dict(variables)} if variables else None,
    }


def log_group(account_id: str, region: str, name: str) -> dict[str, Any] | None:
    from moto.logs.models import logs_backends

    group = logs_backends[account_id][region].groups.get(name)
    if group is None:
        return None
    return {"LogGroupName": group.name, "RetentionInDays": group.retention_in_days}


READERS: dict[str, Reader] = {
    "AWS::DynamoDB::Table": dynamodb_table,
    "AWS::S3::Bucket": s3_bucket,
    "AWS::SSM::Parameter": ssm_parameter,
    "AWS::Lambda::Function": lambda_function,
    "AWS::Logs::LogGroup": log_group,
}
