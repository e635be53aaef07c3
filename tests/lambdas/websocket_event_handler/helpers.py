"""Constants and helpers the tests of this package share."""

import json
import sys
from collections.abc import Callable
from types import ModuleType, SimpleNamespace
from typing import Any
from urllib.parse import quote

from botocore.stub import Stubber
from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends
from moto.core import DEFAULT_ACCOUNT_ID

ENDPOINT = "k7m2p9q4r1.execute-api.us-east-1.amazonaws.com/dev"
SID = "3f2b7c1e-8a4d-4e6f-9b21-5c7d8e9fa0b1"
OTHER = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
CONN = "O8a2VeIroAMCJkQ="  # the connection of the sample events
KEY = f"session-uploads/{SID}/image-1763799323"  # the key of the sample S3 event
NOW = 1_763_799_400
CONTEXT = SimpleNamespace(aws_request_id="5f1c-req", function_name="qr-upload-websocket-event-test")
LOGGERS = [
    "lambda_function",
    "handlers.websocket_connect",
    "handlers.websocket_disconnect",
    "handlers.s3_upload_completion",
    "utils.websocket",
]
Event = Callable[..., dict[str, Any]]


def call(app: ModuleType, event: Any) -> tuple[int, dict[str, Any]]:
    response = app.lambda_handler(event, CONTEXT)
    return response["statusCode"], json.loads(response["body"])


def put_session(table: Any, session_id: str = SID, **fields: Any) -> dict[str, Any]:
    item = {
        "sessionId": session_id,
        "status": "UPLOAD_REQUESTED",
        "createdAt": NOW - 120,
        "expiresAt": NOW - 120 + 1800,
        "wsConnectionId": CONN,
        "uploadKey": KEY,
    }
    item.update(fields)
    table.put_item(Item=item)
    return item


def stored(table: Any, session_id: str = SID) -> Any:
    return table.get_item(Key={"sessionId": session_id}, ConsistentRead=True).get("Item")


def posted(connection_id: str, region: str = "us-east-1") -> list[dict[str, Any]]:
    """The messages moto's Management API received for a connection, in order."""
    connections = apigatewaymanagementapi_backends[DEFAULT_ACCOUNT_ID][region].connections
    connection = connections.get(quote(connection_id, safe=""))
    data = connection.data.decode() if connection else ""
    decoder, messages, index = json.JSONDecoder(), [], 0
    while index < len(data):
        message, index = decoder.raw_decode(data, index)
        messages.append(message)
    return messages


def s3_event(event: Event, *keys: str, name: str = "ObjectCreated:Put") -> dict[str, Any]:
    sample = event("qr_s3_object_created")
    record = sample["Records"][0]
    records = []
    for key in keys:
        copy = json.loads(json.dumps(record))
        copy["eventName"] = name
        copy["s3"]["object"]["key"] = key
        records.append(copy)
    return {"Records": records}


def stub_post_error(code: str, status: int) -> Stubber:
    """Stub the function's own Management API client (moto cannot answer with an error)."""
    stub = Stubber(sys.modules["utils.websocket"].api_client)
    stub.add_client_error("post_to_connection", service_error_code=code, http_status_code=status)
    return stub
