"""The QR-upload flow of seed 004 end to end, through both functions and moto.

Web app: POST /sessions, then opens the WebSocket. Phone: GET /upload-url, PUT to S3. S3: the
ObjectCreated notification. Web app: receives UPLOAD_COMPLETED, then disconnects.
"""

import json
from collections.abc import Callable
from types import ModuleType
from typing import Any
from urllib.parse import quote

import boto3
import pytest
import requests
from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends
from moto.core import DEFAULT_ACCOUNT_ID

BUCKET = "qr-upload-images-flow"


@pytest.fixture
def functions(
    load_function: Callable[..., ModuleType], sessions_table: Any, monkeypatch: pytest.MonkeyPatch
) -> tuple[ModuleType, ModuleType]:
    """Both functions of seed 004 on one sessions table: (HTTP API, WebSocket/S3 events)."""
    monkeypatch.setenv("UPLOAD_BUCKET_NAME", BUCKET)
    monkeypatch.setenv("WS_API_ENDPOINT", "k7m2p9q4r1.execute-api.us-east-1.amazonaws.com/dev")
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    http = load_function("http_api_handler", module="lambda_function")
    return http, load_function("websocket_event_handler", module="lambda_function")


def test_a_session_from_creation_to_notification(
    functions: tuple[ModuleType, ModuleType],
    sessions_table: Any,
    event: Callable[..., dict[str, Any]],
) -> None:
    http, ws = functions

    def status(session_id: str) -> str:
        return str(sessions_table.get_item(Key={"sessionId": session_id})["Item"]["status"])

    created = http.lambda_handler(event("qr_http_post_sessions"), None)
    session_id = json.loads(created["body"])["sessionId"]
    assert status(session_id) == "AWAITING_SCAN"

    connect = event("qr_ws_connect")
    connect["queryStringParameters"] = {"sessionId": session_id}
    connection_id = connect["requestContext"]["connectionId"]
    assert ws.lambda_handler(connect, None)["statusCode"] == 200

    get_url = event("qr_http_get_upload_url")
    get_url["queryStringParameters"] = {"sessionId": session_id}
    issued = json.loads(http.lambda_handler(get_url, None)["body"])
    assert status(session_id) == "UPLOAD_REQUESTED"

    put = requests.put(issued["uploadUrl"], data=b"jpeg", headers={"Content-Type": "image/*"})
    assert put.status_code == 200

    # The notification S3 would send for that object (keys arrive URL-encoded).
    notification = event("qr_s3_object_created")
    notification["Records"][0]["s3"]["bucket"]["name"] = BUCKET
    notification["Records"][0]["s3"]["object"]["key"] = quote(issued["uploadKey"])
    assert json.loads(ws.lambda_handler(notification, None)["body"])["processed"] == 1
    assert status(session_id) == "COMPLETED"

    backend = apigatewaymanagementapi_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    message = json.loads(backend.connections[quote(connection_id, safe="")].data)
    assert message["action"] == "UPLOAD_COMPLETED"
    assert message["sessionId"] == session_id
    assert message["uploadKey"] == issued["uploadKey"]

    # A completed session takes no further upload; the web app's disconnect is acknowledged.
    assert http.lambda_handler(get_url, None)["statusCode"] == 400
    assert ws.lambda_handler(event("qr_ws_disconnect"), None)["statusCode"] == 200
    assert sessions_table.get_item(Key={"sessionId": session_id})["Item"]["wsConnectionId"] is None
