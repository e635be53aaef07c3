"""`@connections` reaches the live connections the engine serves: POST delivers to the client,
GET describes the connection, DELETE closes it, and a closed connection is gone (410)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from websockets.exceptions import ConnectionClosed

from orchestrator.sandbox.server import RunningServer
from tests.sandbox.websocket_support import (
    RECEIVE_SECONDS,
    ServedApi,
    answer,
    open_client,
    served_api,
)
from tests.sandbox_access import session
from tests.waiting import wait_until

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def api(aws: Callable[[str], Any], lambda_role: str, sandbox: RunningServer) -> Iterator[ServedApi]:
    with served_api(aws, lambda_role, sandbox) as served:
        yield served


@pytest.fixture(scope="module")
def management(api: ServedApi, sandbox: RunningServer) -> Any:
    """A management client at the API's own address with its stage, as a backend makes one."""
    return session(sandbox.keys.client).client(
        "apigatewaymanagementapi", endpoint_url=api.management
    )


def _connection_id(client: Any) -> str:
    client.send(json.dumps({"action": "echo"}))
    return str(answer(client)["connectionId"])


def _is_gone(call: Callable[[], object]) -> bool:
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"] == "GoneException"
    return False


def test_post_delivers_the_data_to_the_client(api: ServedApi, management: Any) -> None:
    with open_client(api.url) as client:
        connection_id = _connection_id(client)
        management.post_to_connection(ConnectionId=connection_id, Data=b'{"hello": "client"}')

        assert answer(client) == {"hello": "client"}


def test_get_describes_the_connection(api: ServedApi, management: Any) -> None:
    with open_client(api.url, user_agent_header="firefly-tests") as client:
        connection_id = _connection_id(client)
        described = management.get_connection(ConnectionId=connection_id)

    now = datetime.datetime.now(datetime.UTC)
    assert described["Identity"] == {"SourceIp": "127.0.0.1", "UserAgent": "firefly-tests"}
    assert described["ConnectedAt"] <= described["LastActiveAt"] <= now
    assert now - described["ConnectedAt"] < datetime.timedelta(seconds=RECEIVE_SECONDS)


def test_delete_closes_the_connection_and_it_is_gone(api: ServedApi, management: Any) -> None:
    with open_client(api.url) as client:
        connection_id = _connection_id(client)
        management.delete_connection(ConnectionId=connection_id)

        with pytest.raises(ConnectionClosed):
            client.recv(timeout=RECEIVE_SECONDS)
        assert _is_gone(lambda: management.get_connection(ConnectionId=connection_id))
        assert _is_gone(
            lambda: management.post_to_connection(ConnectionId=connection_id, Data=b"{}")
        )


def test_a_connection_the_client_closed_is_gone(api: ServedApi, management: Any) -> None:
    with open_client(api.url) as client:
        connection_id = _connection_id(client)

    wait_until(
        lambda: _is_gone(
            lambda: management.post_to_connection(ConnectionId=connection_id, Data=b"{}")
        ),
        f"connection {connection_id} to be gone after the client closed it",
    )
    assert _is_gone(lambda: management.delete_connection(ConnectionId=connection_id))
