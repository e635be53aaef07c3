"""CloudFormation-made DynamoDB tables: `TimeToLiveSpecification` and
`PointInTimeRecoverySpecification` applied, the key schema required,
changes applied in place (moto has no update for tables), Tags kept to the template on update,
and tables adoptable by IMPORT."""

from __future__ import annotations

from typing import Any

from orchestrator.sandbox.cloudformation import handlers
from orchestrator.sandbox.cloudformation.handlers import Handler, Target
from orchestrator.sandbox.cloudformation.model import Resource


def _backend(target: Target) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[target.account_id][target.region]


class TableHandler(Handler):
    required = ("KeySchema", "AttributeDefinitions")

    def create(self, target: Target, properties: dict[str, Any]) -> tuple[Any, str]:
        table, physical_id = super().create(target, properties)
        self._time_to_live(target, physical_id, properties)
        _point_in_time_recovery(target, physical_id, properties, {})
        return table, physical_id

    def _time_to_live(self, target: Target, name: str, properties: dict[str, Any]) -> None:
        spec = properties.get("TimeToLiveSpecification")
        if spec:
            _backend(target).update_time_to_live(
                name,
                {
                    "Enabled": str(spec.get("Enabled")).lower() == "true",
                    "AttributeName": spec.get("AttributeName", ""),
                },
            )

    def update(
        self, target: Target, resource: Resource, properties: dict[str, Any]
    ) -> tuple[Any, str]:
        if self.physical_name(target, properties) != resource.physical_id:
            return self._replace(target, resource, properties)
        protection = properties.get("DeletionProtectionEnabled", False)
        streams = properties.get("StreamSpecification") or (
            {"StreamEnabled": False} if resource.properties.get("StreamSpecification") else None
        )
        table = _backend(target).update_table(
            name=resource.physical_id,
            attr_definitions=properties.get("AttributeDefinitions"),
            global_index=None,
            throughput=properties.get("ProvisionedThroughput"),
            billing_mode=properties.get("BillingMode"),
            stream_spec=streams,
            deletion_protection_enabled=str(protection).lower() == "true",
            warm_throughput=None,
        )
        self._time_to_live(target, resource.physical_id, properties)
        _point_in_time_recovery(target, resource.physical_id, properties, resource.properties)
        _retag(target, table.table_arn, resource.properties, properties)
        return table, resource.physical_id

    def find(self, target: Target, identifier: dict[str, Any]) -> tuple[Any, str] | None:
        name = identifier.get("TableName")
        table = _backend(target).tables.get(name)
        return None if table is None else (table, str(name))


def _point_in_time_recovery(
    target: Target, name: str, after: dict[str, Any], before: dict[str, Any]
) -> None:
    """PITR as the template says, and off (the property's default) once the template drops it;
    moto's create and update ignore the property."""
    spec = after.get("PointInTimeRecoverySpecification")
    if spec is None and before.get("PointInTimeRecoverySpecification") is None:
        return
    enabled = str((spec or {}).get("PointInTimeRecoveryEnabled")).lower() == "true"
    _backend(target).update_continuous_backups(name, {"PointInTimeRecoveryEnabled": enabled})


def _retag(target: Target, arn: str, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Tags as an update leaves them on AWS: the template's set, and those it dropped removed
    (tags set outside the template are not CloudFormation's to touch)."""
    old = {tag["Key"]: tag["Value"] for tag in before.get("Tags") or []}
    new = {tag["Key"]: tag["Value"] for tag in after.get("Tags") or []}
    changed = {key: value for key, value in new.items() if old.get(key) != value}
    # moto's tag_resource appends, so a changed value is untagged before it is set again
    stale = sorted((set(old) - set(new)) | set(changed))
    backend = _backend(target)
    if stale:
        backend.untag_resource(arn, stale)
    if changed:
        backend.tag_resource(arn, changed)


def install() -> None:
    handlers.register(
        TableHandler("AWS::DynamoDB::Table", handlers.moto_model("AWS::DynamoDB::Table"))
    )
