"""CloudFormation-made S3 buckets get their `VersioningConfiguration`, `AWS::S3::BucketPolicy` is
applied (moto skips it), and buckets are adoptable by IMPORT."""

from __future__ import annotations

import json
from typing import Any

from orchestrator.sandbox.cloudformation import handlers
from orchestrator.sandbox.cloudformation.handlers import Handler, Target
from orchestrator.sandbox.cloudformation.model import Resource


def _backend(target: Target) -> Any:
    from moto.s3.models import s3_backends

    return s3_backends[target.account_id]["aws"]


class BucketHandler(Handler):
    def create(self, target: Target, properties: dict[str, Any]) -> tuple[Any, str]:
        bucket, name = super().create(target, properties)
        self._versioning(target, name, properties)
        return bucket, name

    def update(
        self, target: Target, resource: Resource, properties: dict[str, Any]
    ) -> tuple[Any, str]:
        bucket, name = super().update(target, resource, properties)
        self._versioning(target, name, properties)
        return bucket, name

    def _versioning(self, target: Target, name: str, properties: dict[str, Any]) -> None:
        status = (properties.get("VersioningConfiguration") or {}).get("Status")
        if status:
            _backend(target).put_bucket_versioning(name, status)

    def find(self, target: Target, identifier: dict[str, Any]) -> tuple[Any, str] | None:
        name = str(identifier.get("BucketName"))
        bucket = _backend(target).buckets.get(name)
        return None if bucket is None else (bucket, name)


class BucketPolicyHandler(Handler):
    """moto has no model for bucket policies: the policy is put on (and taken off) the bucket."""

    required = ("Bucket", "PolicyDocument")

    def create(self, target: Target, properties: dict[str, Any]) -> tuple[Any, str]:
        bucket = str(properties["Bucket"])
        document = properties["PolicyDocument"]
        text = document if isinstance(document, str) else json.dumps(document)
        _backend(target).put_bucket_policy(bucket, text.encode())
        return bucket, self.physical_name(target, {})

    def update(
        self, target: Target, resource: Resource, properties: dict[str, Any]
    ) -> tuple[Any, str]:
        if properties.get("Bucket") != resource.properties.get("Bucket"):
            return self._replace(target, resource, properties)
        self.create(target, properties)
        return resource.model, resource.physical_id

    def delete(self, target: Target, resource: Resource) -> None:
        backend = _backend(target)
        if resource.model in backend.buckets:
            backend.delete_bucket_policy(resource.model)

    def has_attribute(self, name: str) -> bool | None:
        return False

    def attribute(self, resource: Resource, name: str) -> Any:
        return super().attribute(resource, name)


def install() -> None:
    handlers.register(BucketHandler("AWS::S3::Bucket", handlers.moto_model("AWS::S3::Bucket")))
    handlers.register(BucketPolicyHandler("AWS::S3::BucketPolicy"))
