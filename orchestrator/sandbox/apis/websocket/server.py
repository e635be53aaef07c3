"""WebSocket APIs deployed into the sandbox, served on its port (`ws://`).

What API Gateway does for a WebSocket API, per "Manage connected users and client apps: $connect
and $disconnect routes"
(https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-route-keys-connect-disconnect.html)
and "Overview of WebSocket APIs in API Gateway"
(https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-overview.html):
the upgrade request is held until the `$connect` integration has answered, and refused when it
answers a status outside 2xx (with that status) or cannot be invoked (500, as a Lambda whose
permission is missing makes API Gateway answer); each message goes to the route the selection
expression picks; `$disconnect` runs once the connection has closed, from either side, and
cannot send to it any more. A message no route takes, or whose integration fails, is answered
on the connection with API Gateway's error message.

`$connect` may be guarded by a Lambda REQUEST authorizer (`authorizers`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import string
import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from orchestrator.sandbox.apis.addresses import ApiAddress
from orchestrator.sandbox.apis.lambda_targets import (
    IntegrationFailed,
    IntegrationRefused,
    invoke_integration,
)
from orchestrator.sandbox.apis.websocket import connections, events
from orchestrator.sandbox.apis.websocket.authorizers import Authorization, authorize
from orchestrator.sandbox.apis.websocket.channel import Channel, HandshakeError, raw_request
from orchestrator.sandbox.apis.websocket.connections import LiveConnection
from orchestrator.sandbox.apis.websocket.routes import (
    CONNECT,
    DISCONNECT,
    WebSocketApi,
    find_api,
)

__all__ = ["serve"]

_log = logging.getLogger(__name__)
_ID_ALPHABET = string.ascii_letters + string.digits
_AUTHORIZATION_REFUSALS = {401: "Unauthorized", 403: "Forbidden", 500: "Internal server error"}


class _Hijacked(ConnectionError):
    """Raised once the socket has carried a WebSocket connection: werkzeug takes it for a
    dropped client and writes no HTTP answer after the frames (as flask-sock does)."""


def serve(
    environ: dict[str, Any], start_response: Callable[..., Any], address: ApiAddress
) -> Iterable[bytes]:
    """Serve one `ws://` connection to the API at `address`, for as long as it stays open."""
    stage = address.path.strip("/").split("/", 1)[0]
    api = find_api(address.api_id, stage)
    if api is None:
        return _answer(start_response, 403, _message("Forbidden"))
    channel = Channel(environ["werkzeug.socket"])
    try:
        response = channel.answer(channel.handshake(raw_request(environ)))
    except HandshakeError as exc:
        return _answer(start_response, 400, _message(f"Bad WebSocket handshake: {exc}"))
    if response.status_code != 101:
        return _answer(start_response, response.status_code, _message(response.body.decode()))
    connection = _new_connection(api, environ, channel)
    refusal = _refusal_of_connect(api, connection, environ)
    if refusal is not None:
        return _answer(start_response, *refusal)
    channel.open(response)
    connections.add(connection)
    try:
        _converse(api, connection, channel)
    finally:
        # gone for @connections at once, but registered until $disconnect has run, so that a
        # stopping engine waits for it too (and no Lambda starts after the engine has gone)
        connection.retired = True
        if not connection.engine_stopping:
            _disconnect(api, connection, channel)
        connections.remove(connection.connection_id)
        connection.finished.set()
    raise _Hijacked("the WebSocket connection has closed")


def _new_connection(api: WebSocketApi, environ: dict[str, Any], channel: Channel) -> LiveConnection:
    # AWS's ids are 12 base64 characters ending in `=` (e.g. `L0SM9cOFvHcCIhw=`)
    connection_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(11)) + "="
    return LiveConnection(
        connection_id=connection_id,
        api_id=api.api_id,
        stage=api.stage,
        engine_port=int(environ.get("SERVER_PORT") or 0),
        source_ip=str(environ.get("REMOTE_ADDR", "127.0.0.1")),
        user_agent=str(environ.get("HTTP_USER_AGENT", "")),
        channel=channel,
    )


def _refusal_of_connect(
    api: WebSocketApi, connection: LiveConnection, environ: dict[str, Any]
) -> tuple[int, str] | None:
    """Why the handshake is refused (status and message), or None to open the connection."""
    event = events.connect_event(api, connection, environ)
    route = api.route(CONNECT)
    authorization = authorize(api, route, event) if route is not None else Authorization()
    if authorization.status is not None:
        return authorization.status, _message(_AUTHORIZATION_REFUSALS[authorization.status])
    if authorization.context is not None:
        event["requestContext"]["authorizer"] = authorization.context
    integration = api.integration_id(CONNECT)
    if integration is None:  # $connect without an integration lets every client in
        return None
    try:
        result = invoke_integration(api.api_id, integration, event, api.source_arn(CONNECT))
    except IntegrationRefused:
        return 500, _message("Internal server error")
    except IntegrationFailed:
        return 502, _message("Internal server error")
    status = _status_of(result)
    return None if 200 <= status < 300 else (status, _body_of(result))


def _converse(api: WebSocketApi, connection: LiveConnection, channel: Channel) -> None:
    for message in channel.messages():
        connection.touch()
        route_key = api.select_route(message)
        integration = api.integration_id(route_key) if route_key else None
        if route_key is None:
            _tell_error(connection, "Forbidden")
            continue
        if integration is None:
            continue
        event = events.message_event(api, connection, route_key, message)
        try:
            result = invoke_integration(api.api_id, integration, event, api.source_arn(route_key))
        except (IntegrationRefused, IntegrationFailed):
            _tell_error(connection, "Internal server error")
            continue
        if api.answers_client(route_key) and _body_of(result):
            _send_quietly(connection, _body_of(result))


def _disconnect(api: WebSocketApi, connection: LiveConnection, channel: Channel) -> None:
    integration = api.integration_id(DISCONNECT)
    if integration is None:
        return
    event = events.disconnect_event(api, connection, channel.close_code, channel.close_reason)
    try:  # nobody is left to tell about a failure: AWS only logs it
        invoke_integration(api.api_id, integration, event, api.source_arn(DISCONNECT))
    except (IntegrationRefused, IntegrationFailed) as exc:
        _log.warning("$disconnect of %s failed: %s", connection.connection_id, exc)


def _tell_error(connection: LiveConnection, message: str) -> None:
    body = {
        "message": message,
        "connectionId": connection.connection_id,
        "requestId": str(uuid.uuid4()),
    }
    _send_quietly(connection, json.dumps(body))


def _send_quietly(connection: LiveConnection, data: str) -> None:
    with contextlib.suppress(ConnectionError):  # the client left; its $disconnect follows
        connection.channel.send(data)


def _status_of(result: object) -> int:
    if isinstance(result, dict) and "statusCode" in result:
        try:
            return int(result["statusCode"])
        except (TypeError, ValueError):
            return 502
    return 200  # a handler that answers anything else has accepted


def _body_of(result: object) -> str:
    if isinstance(result, dict):
        body = result.get("body")
        return body if isinstance(body, str) else json.dumps(body) if body is not None else ""
    return "" if result is None else json.dumps(result)


def _message(text: str) -> str:
    return json.dumps({"message": text.strip()})


def _answer(start_response: Callable[..., Any], status: int, text: str) -> Iterable[bytes]:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body = text.encode()
    start_response(
        f"{status} {phrase}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]
