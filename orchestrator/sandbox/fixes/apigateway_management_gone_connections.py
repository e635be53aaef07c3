"""The API Gateway management API reaches the WebSocket connections the engine serves:
PostToConnection sends the data to the client, GetConnection describes the connection,
DeleteConnection closes it; for any other id (never connected, or closed) all three answer
GoneException (HTTP 410), as AWS does for a connection that is gone
(https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html).

moto invents a connection for any id it is asked about and keeps what is posted to it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from moto.apigatewaymanagementapi.models import ApiGatewayManagementApiBackend
from moto.core.exceptions import JsonRESTError

from orchestrator.sandbox.apis.websocket import connections
from orchestrator.sandbox.apis.websocket.connections import LiveConnection

_MARK = "_firefly_live_connections"


class GoneException(JsonRESTError):
    code = 410

    def __init__(self, connection_id: str) -> None:
        super().__init__("GoneException", f"Connection {connection_id} is gone")


class _Described:
    """What moto's response renders (`to_dict`) for GetConnection."""

    def __init__(self, connection: LiveConnection) -> None:
        self._connection = connection

    def to_dict(self) -> dict[str, Any]:
        return self._connection.describe()


def install() -> None:
    if getattr(ApiGatewayManagementApiBackend, _MARK, False):
        return
    setattr(ApiGatewayManagementApiBackend, "get_connection", _get_connection)  # noqa: B010
    setattr(ApiGatewayManagementApiBackend, "delete_connection", _delete_connection)  # noqa: B010
    setattr(ApiGatewayManagementApiBackend, "post_to_connection", _post_to_connection)  # noqa: B010
    setattr(ApiGatewayManagementApiBackend, _MARK, True)


def _live(connection_id: str) -> LiveConnection:
    # moto hands over the id as it appears in the path, percent-encoded (`=` as `%3D`)
    decoded = unquote(connection_id)
    connection = connections.find(decoded)
    if connection is None:
        raise GoneException(decoded)
    return connection


def _get_connection(self: ApiGatewayManagementApiBackend, connection_id: str) -> _Described:
    return _Described(_live(connection_id))


def _delete_connection(self: ApiGatewayManagementApiBackend, connection_id: str) -> None:
    connection = _live(connection_id)
    connection.retired = True  # gone at once, not when the client has answered the close
    connection.channel.close(1000, "")


def _post_to_connection(
    self: ApiGatewayManagementApiBackend, data: bytes, connection_id: str
) -> None:
    connection = _live(connection_id)
    try:
        connection.channel.send(data)
    except ConnectionError as exc:
        raise GoneException(connection.connection_id) from exc
    connection.touch()
