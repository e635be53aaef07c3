"""An imported table made to hold its template's values where an IMPORT does not apply them.

CloudFormation imports a resource as it finds it: the template's properties are not applied, and
a later update that does not change them applies nothing either (the stack believes the resource
already matches). A table adopted without deletion protection, TTL or point-in-time recovery would
stay so for good, while `plan` and `deploy` say "unchanged". After an import firefly compares the
properties that guard the data with the live table and sets the template's value where they
differ. Values written with an intrinsic function are left to CloudFormation: only literal values
are compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from orchestrator.aws.errors import call


def reassert_table(dynamodb: Any, table: str, properties: Mapping[str, Any]) -> list[str]:
    """Correct the live table where it differs from `properties`; one line per correction."""
    live = call(lambda: dynamodb.describe_table(TableName=table))["Table"]
    corrections = []
    for correct in (_deletion_protection, _time_to_live, _point_in_time_recovery, _stream, _tags):
        corrections += correct(dynamodb, table, live, properties)
    return corrections


def _deletion_protection(
    dynamodb: Any, table: str, live: dict[str, Any], properties: Mapping[str, Any]
) -> list[str]:
    want = properties.get("DeletionProtectionEnabled")
    have = bool(live.get("DeletionProtectionEnabled", False))
    if not isinstance(want, bool) or want == have:
        return []
    call(lambda: dynamodb.update_table(TableName=table, DeletionProtectionEnabled=want))
    return [f"DeletionProtectionEnabled {_text(have)} -> {_text(want)}"]


def _time_to_live(
    dynamodb: Any, table: str, live: dict[str, Any], properties: Mapping[str, Any]
) -> list[str]:
    want = properties.get("TimeToLiveSpecification")
    if not _literal(want) or want.get("Enabled") is not True:
        return []
    described = call(lambda: dynamodb.describe_time_to_live(TableName=table))
    current = described.get("TimeToLiveDescription") or {}
    enabled = current.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
    if enabled and current.get("AttributeName") == want.get("AttributeName"):
        return []
    if enabled:  # DynamoDB takes one TTL attribute: a different one must be replaced by hand
        return [
            f"TimeToLiveSpecification: TTL is on {current.get('AttributeName')}, the template "
            f"says {want.get('AttributeName')}; not changed (disable TTL, then deploy again)"
        ]
    specification = {"AttributeName": want["AttributeName"], "Enabled": True}
    call(
        lambda: dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification=specification)
    )
    return [f"TimeToLiveSpecification disabled -> enabled on {want['AttributeName']}"]


def _point_in_time_recovery(
    dynamodb: Any, table: str, live: dict[str, Any], properties: Mapping[str, Any]
) -> list[str]:
    """Only ever turned on: a table found with PITR keeps its restore window."""
    want = properties.get("PointInTimeRecoverySpecification")
    if not _literal(want) or want.get("PointInTimeRecoveryEnabled") is not True:
        return []
    described = call(lambda: dynamodb.describe_continuous_backups(TableName=table))
    backups = described.get("ContinuousBackupsDescription") or {}
    recovery = backups.get("PointInTimeRecoveryDescription") or {}
    if recovery.get("PointInTimeRecoveryStatus") == "ENABLED":
        return []
    specification = {"PointInTimeRecoveryEnabled": True}
    call(
        lambda: dynamodb.update_continuous_backups(
            TableName=table, PointInTimeRecoverySpecification=specification
        )
    )
    return ["PointInTimeRecoverySpecification disabled -> enabled"]


def _stream(
    dynamodb: Any, table: str, live: dict[str, Any], properties: Mapping[str, Any]
) -> list[str]:
    want = properties.get("StreamSpecification")
    if not _literal(want) or not isinstance(want.get("StreamViewType"), str):
        return []
    current = live.get("StreamSpecification") or {}
    view = want["StreamViewType"]
    if current.get("StreamEnabled") and current.get("StreamViewType") == view:
        return []
    if current.get("StreamEnabled"):  # a stream keeps its view type: replacing it loses records
        return [
            f"StreamSpecification: the stream is {current.get('StreamViewType')}, the template "
            f"says {view}; not changed"
        ]
    specification = {"StreamEnabled": True, "StreamViewType": view}
    call(lambda: dynamodb.update_table(TableName=table, StreamSpecification=specification))
    return [f"StreamSpecification disabled -> {view}"]


def _tags(
    dynamodb: Any, table: str, live: dict[str, Any], properties: Mapping[str, Any]
) -> list[str]:
    want = {
        tag["Key"]: tag["Value"]
        for tag in properties.get("Tags") or []
        if isinstance(tag, dict) and isinstance(tag.get("Value"), str)
    }
    if not want:
        return []
    arn = live["TableArn"]
    have = {
        tag["Key"]: tag["Value"]
        for tag in call(lambda: dynamodb.list_tags_of_resource(ResourceArn=arn)).get("Tags", [])
    }
    missing = {key: value for key, value in want.items() if have.get(key) != value}
    if not missing:
        return []
    tags = [{"Key": key, "Value": value} for key, value in sorted(missing.items())]
    call(lambda: dynamodb.tag_resource(ResourceArn=arn, Tags=tags))
    return [f"Tags set: {', '.join(sorted(missing))}"]


def _literal(value: Any) -> TypeGuard[dict[str, Any]]:
    """A mapping written out in the template, not computed by an intrinsic function."""
    return isinstance(value, dict) and not any(key.startswith("Fn::") for key in value)


def _text(value: bool) -> str:
    return "true" if value else "false"
