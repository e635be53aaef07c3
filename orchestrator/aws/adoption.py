"""Finding resources by their import identifiers, and who owns them, for `adopt:`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from orchestrator.aws.errors import error_code, error_message, is_not_found
from orchestrator.aws.imported_tables import reassert_table
from orchestrator.engine.ports import ExistingResource
from orchestrator.errors import OrchestratorError


class AwsAdoptions:
    def __init__(self, root: Path, cloudformation: Any, client: Callable[[str], Any]) -> None:
        self._root = root
        self._cloudformation = cloudformation
        self._client = client  # service name -> boto3 client, made on first use

    def document(self, template: str) -> dict[str, object]:
        from orchestrator.packaging import read_template

        return read_template(self._root / template)

    def reassert(
        self, resource_type: str, physical_id: str, properties: Mapping[str, object]
    ) -> list[str]:
        if resource_type == "AWS::DynamoDB::Table":
            return reassert_table(self._client("dynamodb"), physical_id, properties)
        return []  # the types adopted here that hold data are tables; others are not checked

    def find(self, resource_type: str, identifier: Mapping[str, str]) -> ExistingResource:
        (value,) = identifier.values()
        exists = self._exists(resource_type, value)
        return ExistingResource(exists, self._owner(value) if exists else None)

    def _exists(self, resource_type: str, value: str) -> bool:
        probes: dict[str, Callable[[], Any]] = {
            "AWS::DynamoDB::Table": lambda: self._client("dynamodb").describe_table(
                TableName=value
            ),
            "AWS::S3::Bucket": lambda: self._client("s3").head_bucket(Bucket=value),
            "AWS::Lambda::Function": lambda: self._client("lambda").get_function(
                FunctionName=value
            ),
            "AWS::Logs::LogGroup": lambda: self._log_group(value),
        }
        try:
            probes[resource_type]()
        except ClientError as error:
            if is_not_found(error):
                return False
            raise OrchestratorError(
                f"cannot tell whether {value} exists: {error_message(error)}"
            ) from None
        return True

    def _log_group(self, name: str) -> None:
        groups = self._client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        if not any(group["logGroupName"] == name for group in groups):
            raise ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "DescribeLogGroups")

    def _owner(self, physical_id: str) -> str | None:
        try:
            found = self._cloudformation.describe_stack_resources(PhysicalResourceId=physical_id)
        except ClientError as error:
            # "Stack for <id> does not exist": the resource belongs to no stack.
            if error_code(error) == "ValidationError":
                return None
            raise OrchestratorError(
                f"cannot tell which stack owns {physical_id}: {error_message(error)}"
            ) from None
        resources = found.get("StackResources") or []
        return str(resources[0]["StackName"]) if resources else None
