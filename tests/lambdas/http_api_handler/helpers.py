"""Constants and helpers the tests of this package share."""

import json
from collections.abc import Callable
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

BUCKET = "qr-upload-images-test"
SID = "3f2b7c1e-8a4d-4e6f-9b21-5c7d8e9fa0b1"
NOW = 1_763_799_323
CONTEXT = SimpleNamespace(aws_request_id="0b5e1e5a-req", function_name="qr-upload-http-api-test")
LOGGERS = ["lambda_function", "handlers.create_session", "handlers.generate_presigned_url"]
CORS = {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"}
Event = Callable[..., dict[str, Any]]


def freeze(app: ModuleType, monkeypatch: pytest.MonkeyPatch, now: float) -> None:
    """Set the handlers' clock (only theirs: botocore and moto keep the real one)."""
    frozen = SimpleNamespace(time=lambda: now)
    monkeypatch.setattr(app.create_session, "time", frozen)
    monkeypatch.setattr(app.generate_presigned_url, "time", frozen)


def call(app: ModuleType, event: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
    response = app.lambda_handler(event, CONTEXT)
    return response["statusCode"], json.loads(response["body"]), response["headers"]


def upload_url_event(event: Event, session_id: Any = SID) -> Any:
    request = event("qr_http_get_upload_url")
    request["queryStringParameters"] = {"sessionId": session_id}
    return request


def put_session(table: Any, **fields: Any) -> dict[str, Any]:
    item = {
        "sessionId": SID,
        "status": "AWAITING_SCAN",
        "createdAt": NOW - 60,
        "expiresAt": NOW - 60 + 1800,
        "wsConnectionId": None,
        "uploadKey": None,
    }
    item.update(fields)
    table.put_item(Item=item)
    return item


def stored(table: Any, session_id: str = SID) -> Any:
    return table.get_item(Key={"sessionId": session_id}, ConsistentRead=True).get("Item")
