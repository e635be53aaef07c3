"""The API Gateway management API answers GoneException (HTTP 410) for an unknown connection.

moto invents a connection for any id it is asked about, so `post_to_connection` to a client
that is gone succeeds. No WebSocket client ever connects to the sandbox, so every connection id
a handler holds is gone, as AWS reports for a closed connection.
"""

from __future__ import annotations

from urllib.parse import unquote

from moto.apigatewaymanagementapi.models import ApiGatewayManagementApiBackend, Connection
from moto.core.exceptions import JsonRESTError

_MARK = "_firefly_gone_connections"


class GoneException(JsonRESTError):
    code = 410

    def __init__(self, connection_id: str) -> None:
        # moto hands over the id as it appears in the path, percent-encoded
        super().__init__("GoneException", f"Connection {unquote(connection_id)} is gone")


def install() -> None:
    if getattr(ApiGatewayManagementApiBackend, _MARK, False):
        return
    setattr(ApiGatewayManagementApiBackend, "get_connection", _get_connection)  # noqa: B010
    setattr(ApiGatewayManagementApiBackend, "delete_connection", _delete_connection)  # noqa: B010
    setattr(ApiGatewayManagementApiBackend, _MARK, True)


def _get_connection(self: ApiGatewayManagementApiBackend, connection_id: str) -> Connection:
    # `.get` does not make an entry, unlike moto's defaultdict lookup
    connection = self.connections.get(connection_id)
    if connection is None:
        raise GoneException(connection_id)
    return connection


def _delete_connection(self: ApiGatewayManagementApiBackend, connection_id: str) -> None:
    if self.connections.pop(connection_id, None) is None:
        raise GoneException(connection_id)
