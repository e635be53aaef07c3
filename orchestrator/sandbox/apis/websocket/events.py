"""The Lambda proxy events of a WebSocket API: CONNECT, MESSAGE and DISCONNECT, shaped as
"Setting up WebSocket API integrations" shows them
(https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-integration-requests.html):
`$connect` gets the handshake's headers and query string, a message its body, and every event a
`requestContext` naming the route, the event type, the connection and the stage.
"""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

from orchestrator.sandbox.apis.websocket.connections import LiveConnection
from orchestrator.sandbox.apis.websocket.routes import WebSocketApi


def headers(environ: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            found.setdefault(key[5:].replace("_", "-").title(), []).append(str(value))
    return found


def query(environ: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in parse_qsl(str(environ.get("QUERY_STRING", "")), keep_blank_values=True):
        found.setdefault(name, []).append(value)
    return found


def connect_event(
    api: WebSocketApi, connection: LiveConnection, environ: dict[str, Any]
) -> dict[str, Any]:
    event = _event(api, connection, "$connect", "CONNECT")
    sent = headers(environ)
    event["headers"] = {name: values[-1] for name, values in sent.items()}
    event["multiValueHeaders"] = sent
    asked = query(environ)
    if asked:  # AWS leaves both out when the URL has no query string
        event["queryStringParameters"] = {name: values[-1] for name, values in asked.items()}
        event["multiValueQueryStringParameters"] = asked
    return event


def message_event(
    api: WebSocketApi, connection: LiveConnection, route_key: str, message: str | bytes
) -> dict[str, Any]:
    event = _event(api, connection, route_key, "MESSAGE")
    event["requestContext"]["messageId"] = uuid.uuid4().hex[:16]
    event["body"] = message if isinstance(message, str) else message.decode("latin-1")
    return event


def disconnect_event(
    api: WebSocketApi, connection: LiveConnection, status: int, reason: str
) -> dict[str, Any]:
    event = _event(api, connection, "$disconnect", "DISCONNECT")
    event["requestContext"]["disconnectStatusCode"] = status
    event["requestContext"]["disconnectReason"] = reason
    return event


def _event(
    api: WebSocketApi, connection: LiveConnection, route_key: str, event_type: str
) -> dict[str, Any]:
    now = time.time()
    context = {
        "routeKey": route_key,
        "eventType": event_type,
        "messageDirection": "IN",
        "connectionId": connection.connection_id,
        "connectedAt": int(connection.connected_at * 1000),
        "requestId": str(uuid.uuid4()),
        "extendedRequestId": str(uuid.uuid4()),
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "requestTimeEpoch": int(now * 1000),
        "domainName": api.domain_name,
        "stage": api.stage,
        "apiId": api.api_id,
        "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
    }
    return {"requestContext": context, "isBase64Encoded": False}
