"""Constants and helpers the tests of this package share."""

import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

FUNCTION = "func-api-firmware-status-patch"
TABLE = "firefly-firmware"
PRIVATE = "firefly-firmware-private"
PUBLIC = "firefly-firmware-public"
ZIP = "firefly-fw-1.4.2.zip"
BINARY = b"PK\x03\x04 firmware image"
SUB = "8c1e4f2a-6b3d-4e9f-a1c2-5d7e9f0b1a3c"
STATES = ["READY_TO_TEST", "TESTING", "RELEASED", "REVOKED"]
LEGAL = {("READY_TO_TEST", "TESTING"), ("TESTING", "RELEASED"), ("RELEASED", "REVOKED")}
NINETY_DAYS = 90 * 24 * 60 * 60

Load = Callable[..., ModuleType]
Event = Callable[[str], dict[str, Any]]


ENV = {
    "DYNAMODB_FIRMWARE_TABLE_NAME": TABLE,
    "FIRMWARE_PRIVATE_BUCKET_NAME": PRIVATE,
    "FIRMWARE_PUBLIC_BUCKET_NAME": PUBLIC,
    "ENVIRONMENT_NAME": "dev",
}


def provision(app: ModuleType) -> None:
    """The firmware table and both buckets, created with the function's own clients.

    The handler makes no AWS call at import, so creating them after the cold start is
    equivalent, and reusing its clients keeps each test fast.
    """
    app.dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "zip_name", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "zip_name", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    app.dynamodb.update_time_to_live(
        TableName=TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"}
    )
    for bucket in (PRIVATE, PUBLIC):
        app.s3.create_bucket(Bucket=bucket)
    app.s3.put_object(Bucket=PRIVATE, Key=ZIP, Body=BINARY)


def put_firmware(dynamodb: Any, status: str, zip_name: str = ZIP, **extra: str) -> None:
    item = {"zip_name": {"S": zip_name}, "status": {"S": status}}
    item.update({key: {"S": value} for key, value in extra.items()})
    dynamodb.put_item(TableName=TABLE, Item=item)


def get_firmware(dynamodb: Any, zip_name: str = ZIP) -> dict[str, Any] | None:
    return dynamodb.get_item(TableName=TABLE, Key={"zip_name": {"S": zip_name}}).get("Item")


def keys(s3: Any, bucket: str) -> list[str]:
    return [obj["Key"] for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def body_of(s3: Any, bucket: str, key: str) -> bytes:
    data: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return data


def request(event: Event, status: Any = None, *, zip_name: Any = ZIP, body: Any = None) -> Any:
    request_event = event("firmware_status_patch")
    request_event["pathParameters"] = {"zip_name": zip_name}
    request_event["body"] = json.dumps({"status": status}) if body is None else body
    return request_event


def call(app: ModuleType, request_event: Any) -> tuple[int, dict[str, Any]]:
    response = app.lambda_handler(request_event, None)
    assert response["headers"]["Access-Control-Allow-Origin"] == "*"
    return response["statusCode"], json.loads(response["body"])
