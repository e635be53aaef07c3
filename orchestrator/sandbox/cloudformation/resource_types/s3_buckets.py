"""CloudFormation-made S3 buckets get their `VersioningConfiguration`, `NotificationConfiguration`
and `CorsConfiguration` (moto's bucket model skips the last two), `AWS::S3::BucketPolicy` is
applied (moto skips it), a bucket that holds data fails its stack's delete as S3 refuses to
delete it, and buckets are adoptable by IMPORT."""

from __future__ import annotations

import json
from typing import Any

from orchestrator.sandbox.cloudformation import handlers
from orchestrator.sandbox.cloudformation.handlers import Handler, ProvisionError, Target
from orchestrator.sandbox.cloudformation.model import Resource


def _backend(target: Target) -> Any:
    from moto.s3.models import s3_backends

    return s3_backends[target.account_id]["aws"]


# CloudFormation's reason when S3 answers DeleteBucket with 409 BucketNotEmpty
BUCKET_NOT_EMPTY = (
    'Resource handler returned message: "The bucket you tried to delete is not empty '
    '(Service: S3, Status Code: 409)" (HandlerErrorCode: GeneralServiceException)'
)


class BucketHandler(Handler):
    def create(self, target: Target, properties: dict[str, Any]) -> tuple[Any, str]:
        bucket, name = super().create(target, properties)
        self._versioning(target, name, properties)
        _notifications(target, name, properties.get("NotificationConfiguration"))
        _cors(target, name, properties.get("CorsConfiguration"))
        return bucket, name

    def update(
        self, target: Target, resource: Resource, properties: dict[str, Any]
    ) -> tuple[Any, str]:
        bucket, name = super().update(target, resource, properties)
        self._versioning(target, name, properties)
        # a configuration the template never held is left alone (as CloudFormation leaves one
        # set outside it); one removed from the template is cleared
        new = properties.get("NotificationConfiguration")
        if new or resource.properties.get("NotificationConfiguration"):
            _notifications(target, name, new)
        cors = properties.get("CorsConfiguration")
        if cors or resource.properties.get("CorsConfiguration"):
            _cors(target, name, cors)
        return bucket, name

    def _versioning(self, target: Target, name: str, properties: dict[str, Any]) -> None:
        status = (properties.get("VersioningConfiguration") or {}).get("Status")
        if status:
            _backend(target).put_bucket_versioning(name, status)

    def delete(self, target: Target, resource: Resource) -> None:
        """S3 refuses to delete a bucket holding any object, object version or delete marker,
        and the stack's delete then fails on it (moto's delete returns silently and keeps the
        bucket, so a stack delete 'succeeded' and left the bucket behind)."""
        bucket = _backend(target).buckets.get(resource.physical_id)
        if bucket is not None and len(bucket.keys):
            raise ProvisionError(BUCKET_NOT_EMPTY)
        super().delete(target, resource)

    def find(self, target: Target, identifier: dict[str, Any]) -> tuple[Any, str] | None:
        name = str(identifier.get("BucketName"))
        bucket = _backend(target).buckets.get(name)
        return None if bucket is None else (bucket, name)


# CloudFormation's list of each kind of NotificationConfiguration → (moto's list, the
# destination's key in CloudFormation, in moto): moto stores what its
# PutBucketNotificationConfiguration parses from the XML, where Lambda is "CloudFunction"
_NOTIFICATION_KINDS = {
    "LambdaConfigurations": ("CloudFunctionConfiguration", "Function", "CloudFunction"),
    "QueueConfigurations": ("QueueConfiguration", "Queue", "Queue"),
    "TopicConfigurations": ("TopicConfiguration", "Topic", "Topic"),
}


def _notifications(target: Target, name: str, configuration: dict[str, Any] | None) -> None:
    """Put the bucket's notification configuration (None clears it), as S3's API would."""
    _backend(target).put_bucket_notification_configuration(
        name, notification_config(configuration or {})
    )


# a CloudFormation `CorsRule` member -> the element of S3's PutBucketCors XML moto stores
_CORS_MEMBERS = {
    "AllowedMethods": "AllowedMethod",
    "AllowedOrigins": "AllowedOrigin",
    "AllowedHeaders": "AllowedHeader",
    "ExposedHeaders": "ExposeHeader",
    "MaxAge": "MaxAgeSeconds",
    "Id": "ID",
}


def _cors(target: Target, name: str, configuration: dict[str, Any] | None) -> None:
    """Put the bucket's CORS rules (None clears them), as S3's PutBucketCors would."""
    rules = [
        {
            _CORS_MEMBERS[member]: value if isinstance(value, list) else str(value)
            for member, value in rule.items()
            if member in _CORS_MEMBERS
        }
        for rule in (configuration or {}).get("CorsRules") or []
    ]
    if rules:
        _backend(target).put_bucket_cors(name, rules)
    else:
        _backend(target).delete_bucket_cors(name)


def notification_config(configuration: dict[str, Any]) -> dict[str, Any]:
    """moto's form of a CloudFormation `NotificationConfiguration`."""
    stored: dict[str, Any] = {}
    for cfn_key, (moto_key, destination, moto_destination) in _NOTIFICATION_KINDS.items():
        entries = [
            {
                moto_destination: entry[destination],
                "Event": [entry["Event"]],
                **_filter(entry.get("Filter")),
            }
            for entry in configuration.get(cfn_key) or []
        ]
        if entries:
            stored[moto_key] = entries
    if (configuration.get("EventBridgeConfiguration") or {}).get("EventBridgeEnabled"):
        stored["EventBridgeConfiguration"] = {}
    return stored


def _filter(cfn_filter: dict[str, Any] | None) -> dict[str, Any]:
    rules = ((cfn_filter or {}).get("S3Key") or {}).get("Rules") or []
    if not rules:
        return {}
    # S3 takes the rule names `prefix`/`suffix` in any case; moto matches them lower-case
    return {
        "Filter": {
            "S3Key": {
                "FilterRule": [
                    {"Name": str(rule["Name"]).lower(), "Value": rule["Value"]} for rule in rules
                ]
            }
        }
    }


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
