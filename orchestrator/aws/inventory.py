"""What a delete inspects and touches besides the stack: resources, retained data, deletion
and termination protection, exports in use, and the SAM artifacts firefly uploaded."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml
from botocore.exceptions import ClientError

from orchestrator.aws.artifacts import owned_by
from orchestrator.aws.errors import call, error_message, is_not_found, translated
from orchestrator.engine.ports import COUNT_LIMIT, StackResource
from orchestrator.errors import OrchestratorError

_S3_URI = re.compile(r"^s3://([^/]+)/(.+)$")


class AwsInventory:
    def __init__(
        self,
        cloudformation: Any,
        dynamodb: Any,
        s3: Any,
        bucket: str,
        owner: str,
        page_size: int = 1000,
    ) -> None:
        self._cloudformation = cloudformation
        self._dynamodb = dynamodb
        self._s3 = s3
        self._bucket = bucket
        # Every bucket a delete lists or empties (the artifact bucket, the stacks' own) is in the
        # environment's account: a name that now belongs to another account is refused by S3
        # rather than read or emptied (the bucket owner condition).
        self._owner = owned_by(owner)
        self._page_size = page_size  # object versions a listing or a DeleteObjects call takes
        # An inventory serves one command: its preflight asks for each stack's resources three
        # times (retained, protected tables, stored data), and a stack's delete, the only thing
        # that changes them, comes after every question is answered.
        self._resources: dict[str, list[StackResource]] = {}
        # Likewise each stack's description (termination protection, exports) and templates
        # (artifacts of the stack and of those it shares them with): one call each per command.
        self._described: dict[str, dict[str, Any]] = {}
        self._templates: dict[tuple[str, str], dict[str, Any]] = {}

    def resources(self, stack: str) -> list[StackResource]:
        if stack not in self._resources:
            self._resources[stack] = self._list_resources(stack)
        return list(self._resources[stack])

    def _list_resources(self, stack: str) -> list[StackResource]:
        found = []
        paginator = self._cloudformation.get_paginator("list_stack_resources")
        for page in call(lambda: list(paginator.paginate(StackName=stack))):
            for summary in page["StackResourceSummaries"]:
                if summary.get("ResourceStatus") == "DELETE_COMPLETE":
                    continue
                found.append(
                    StackResource(
                        str(summary["LogicalResourceId"]),
                        str(summary["ResourceType"]),
                        str(summary.get("PhysicalResourceId", "")),
                    )
                )
        return found

    def retained(self, stack: str) -> list[StackResource]:
        template = self._template(stack, "Processed")
        kept = {
            logical
            for logical, resource in (template.get("Resources") or {}).items()
            if isinstance(resource, dict) and resource.get("DeletionPolicy") == "Retain"
        }
        return [r for r in self.resources(stack) if r.logical_id in kept]

    def deletion_protected_tables(self, stack: str) -> list[str]:
        protected = []
        for resource in self.resources(stack):
            if resource.resource_type != "AWS::DynamoDB::Table" or not resource.physical_id:
                continue
            try:
                table = self._dynamodb.describe_table(TableName=resource.physical_id)["Table"]
            except ClientError as error:
                if is_not_found(error):
                    continue
                raise translated(error) from None
            if table.get("DeletionProtectionEnabled"):
                protected.append(resource.physical_id)
        return protected

    def disable_deletion_protection(self, table: str) -> None:
        call(lambda: self._dynamodb.update_table(TableName=table, DeletionProtectionEnabled=False))

    def _describe(self, stack: str) -> dict[str, Any]:
        if stack not in self._described:
            answer = call(lambda: self._cloudformation.describe_stacks(StackName=stack))
            self._described[stack] = dict(answer["Stacks"][0])
        return self._described[stack]

    def termination_protected(self, stack: str) -> bool:
        return bool(self._describe(stack).get("EnableTerminationProtection"))

    def foreign_importers(self, stack: str, deleting: set[str]) -> dict[str, list[str]]:
        outputs = self._describe(stack).get("Outputs") or []
        exports = [o["ExportName"] for o in outputs if o.get("ExportName")]
        found = {}
        for export in exports:
            importers = self._importers(export)
            outside = sorted(set(importers) - deleting)
            if outside:
                found[export] = outside
        return found

    def artifact_keys(self, stack: str) -> set[str]:
        template = self._template(stack, "Original")
        return {key for bucket, key in _s3_locations(template) if bucket == self._bucket}

    def delete_artifacts(self, keys: set[str]) -> None:
        ordered = sorted(keys)
        for start in range(0, len(ordered), 1000):  # DeleteObjects takes 1000 keys a call
            batch = [{"Key": key} for key in ordered[start : start + 1000]]
            call(
                lambda b=batch: self._s3.delete_objects(
                    Bucket=self._bucket, Delete={"Objects": b, "Quiet": True}, **self._owner
                )
            )

    def stored_count(self, resource: StackResource) -> int | None:
        try:
            if resource.resource_type == "AWS::S3::Bucket":
                return self._object_versions(resource.physical_id)
            if resource.resource_type == "AWS::DynamoDB::Table":
                table = self._dynamodb.describe_table(TableName=resource.physical_id)["Table"]
                # DynamoDB refreshes ItemCount about every six hours: a recent figure, not exact
                return int(table.get("ItemCount", 0))
        except ClientError as error:
            if is_not_found(error):
                return None
            raise translated(error) from None
        return None

    def empty_bucket(self, bucket: str) -> int:
        removed = 0
        while True:  # each round takes the first page of what is left, until nothing is
            page = call(
                lambda: self._s3.list_object_versions(
                    Bucket=bucket, MaxKeys=self._page_size, **self._owner
                )
            )
            versions = page.get("Versions", []) + page.get("DeleteMarkers", [])
            if not versions:
                return removed
            batch = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions]
            done = call(
                lambda b=batch: self._s3.delete_objects(
                    Bucket=bucket, Delete={"Objects": b, "Quiet": True}, **self._owner
                )
            )
            if done.get("Errors"):
                first = done["Errors"][0]
                raise OrchestratorError(
                    f"emptying bucket {bucket}: {first.get('Key')}: {first.get('Message')}"
                )
            removed += len(batch)

    def _object_versions(self, bucket: str) -> int:
        """Every object version and delete marker, counted up to COUNT_LIMIT."""
        count = 0
        pages = self._s3.get_paginator("list_object_versions").paginate(
            Bucket=bucket, PaginationConfig={"PageSize": self._page_size}, **self._owner
        )
        for page in pages:
            count += len(page.get("Versions", [])) + len(page.get("DeleteMarkers", []))
            if count >= COUNT_LIMIT:
                break
        return count

    def _importers(self, export: str) -> list[str]:
        try:
            pages = self._cloudformation.get_paginator("list_imports").paginate(ExportName=export)
            return [str(name) for page in pages for name in page.get("Imports", [])]
        except ClientError as error:
            # An export nobody imports answers with a ValidationError ("is not imported by any
            # stack"), not an empty list.
            if "not imported" in error_message(error):
                return []
            raise translated(error) from None

    def _template(self, stack: str, stage: str) -> dict[str, Any]:
        if (stack, stage) not in self._templates:
            self._templates[stack, stage] = self._read_template(stack, stage)
        return self._templates[stack, stage]

    def _read_template(self, stack: str, stage: str) -> dict[str, Any]:
        body = call(
            lambda: self._cloudformation.get_template(StackName=stack, TemplateStage=stage)
        )["TemplateBody"]
        if isinstance(body, dict):
            return body
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = yaml.load(body, Loader=_TaggedLoader)  # a SafeLoader: tags become data
        return parsed if isinstance(parsed, dict) else {}


class _TaggedLoader(yaml.SafeLoader):
    """Reads short-form tags (!Ref, !Sub …) as plain values: only locations are wanted."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_TaggedLoader.add_multi_constructor("!", _any_tag)


def _s3_locations(value: Any) -> list[tuple[str, str]]:
    """Every s3://bucket/key string and {S3Bucket, S3Key} pair in a template."""
    found: list[tuple[str, str]] = []
    if isinstance(value, str):
        match = _S3_URI.match(value)
        if match:
            found.append((match.group(1), match.group(2).split("?")[0]))
    elif isinstance(value, dict):
        if isinstance(value.get("S3Bucket"), str) and isinstance(value.get("S3Key"), str):
            found.append((value["S3Bucket"], value["S3Key"]))
        for item in value.values():
            found += _s3_locations(item)
    elif isinstance(value, list):
        for item in value:
            found += _s3_locations(item)
    return found
