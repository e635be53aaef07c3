"""WebSocket APIs deployed into the engine are served on its port: `$connect` decides the
handshake, messages take the route their `action` names (else `$default`), `$disconnect` runs
when the client leaves, and a stopping engine leaves no connection or thread behind."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from orchestrator.sandbox.server import RunningServer, start_server
from tests.sandbox.websocket_support import (
    STAGE,
    ServedApi,
    answer,
    open_client,
    recorded_event,
    served_api,
)
from tests.waiting import wait_until

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def api(aws: Callable[[str], Any], lambda_role: str, sandbox: RunningServer) -> Iterator[ServedApi]:
    with served_api(aws, lambda_role, sandbox) as served:
        yield served


def test_connect_gets_the_query_string_and_the_connection(aws: Any, api: ServedApi) -> None:
    session_id = str(uuid.uuid4())

    with open_client(f"{api.url}?sessionId={session_id}") as client:
        client.send(json.dumps({"action": "echo"}))
        connection_id = answer(client)["connectionId"]

    event = recorded_event(aws, api, f"connect/{connection_id}")
    assert event["queryStringParameters"] == {"sessionId": session_id}
    context = event["requestContext"]
    assert (context["routeKey"], context["eventType"]) == ("$connect", "CONNECT")
    assert (context["apiId"], context["stage"]) == (api.api_id, STAGE)
    assert context["connectionId"] == connection_id
    assert "sec-websocket-key" in {name.lower() for name in event["headers"]}


def test_a_message_takes_the_route_its_action_names_else_default(api: ServedApi) -> None:
    with open_client(api.url) as client:
        client.send(json.dumps({"action": "echo", "n": 1}))
        echoed = answer(client)
        client.send(json.dumps({"action": "nosuchroute"}))
        unknown = answer(client)
        client.send("not json")
        plain = answer(client)

    assert (echoed["route"], json.loads(echoed["body"])) == ("echo", {"action": "echo", "n": 1})
    assert unknown["route"] == "$default"
    assert (plain["route"], plain["body"]) == ("$default", "not json")


def test_a_connect_answering_outside_2xx_refuses_the_handshake_with_its_status(
    api: ServedApi,
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        open_client(f"{api.url}?refuse=401")

    assert refused.value.response.status_code == 401


def test_disconnect_runs_once_the_client_has_closed(aws: Any, api: ServedApi) -> None:
    with open_client(api.url) as client:
        client.send(json.dumps({"action": "echo"}))
        connection_id = answer(client)["connectionId"]

    context = recorded_event(aws, api, f"disconnect/{connection_id}")["requestContext"]
    assert (context["routeKey"], context["eventType"]) == ("$disconnect", "DISCONNECT")
    assert context["disconnectStatusCode"] == 1000


def test_the_host_style_address_reaches_the_same_api(
    api: ServedApi, sandbox: RunningServer
) -> None:
    # *.localhost names are the loopback (RFC 6761); not every resolver knows, so dial directly
    url = f"ws://{api.api_id}.execute-api.localhost:{sandbox.port}/{STAGE}"
    dialled = socket.create_connection((sandbox.host, sandbox.port))

    with open_client(url, sock=dialled) as client:
        client.send(json.dumps({"action": "echo"}))
        assert answer(client)["route"] == "echo"


def test_an_unknown_stage_is_forbidden(api: ServedApi) -> None:
    with pytest.raises(InvalidStatus) as refused:
        open_client(api.url.replace(f"/{STAGE}", "/nosuchstage"))

    assert refused.value.response.status_code == 403


def test_a_function_that_api_gateway_may_not_invoke_refuses_the_handshake(
    aws: Callable[[str], Any], lambda_role: str, sandbox: RunningServer
) -> None:
    with (
        served_api(aws, lambda_role, sandbox, permitted=False) as forbidden,
        pytest.raises(InvalidStatus) as refused,
    ):
        open_client(forbidden.url)

    assert refused.value.response.status_code == 500


def test_a_stopping_engine_closes_its_connections_and_leaves_no_thread(aws: Any) -> None:
    v2 = aws("apigatewayv2")  # moto's state is the process's: every engine in it serves this API
    api_id = v2.create_api(Name="ws-stop", ProtocolType="WEBSOCKET")["ApiId"]
    v2.create_stage(ApiId=api_id, StageName=STAGE)
    before = set(threading.enumerate())
    engine = start_server(port=0)
    try:
        with open_client(f"ws://{engine.host}:{engine.port}/_api/{api_id}/{STAGE}") as client:
            engine.stop()
            with pytest.raises(ConnectionClosed):
                client.recv(timeout=60)
            code = client.close_code
    finally:
        v2.delete_api(ApiId=api_id)

    assert code == 1001  # going away
    wait_until(
        lambda: not _request_threads() - before,
        lambda: f"the engine's request threads to end: {_request_threads() - before}",
    )


def _request_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if "process_request_thread" in t.name}
