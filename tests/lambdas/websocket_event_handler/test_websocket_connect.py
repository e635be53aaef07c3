"""$connect (handlers/websocket_connect.py): the connection joins its session, or is rejected."""

import logging
from types import ModuleType
from typing import Any

import pytest

from tests.lambdas.websocket_event_handler.helpers import (
    CONN,
    NOW,
    OTHER,
    SID,
    Event,
    call,
    put_session,
    stored,
)


def test_connect_attaches_the_connection_to_its_session(
    app: ModuleType, table: Any, logs: list[logging.LogRecord], event: Event
) -> None:
    before = put_session(table, status="AWAITING_SCAN", wsConnectionId=None, uploadKey=None)
    assert call(app, event("qr_ws_connect")) == (200, {"message": "Connected"})
    assert stored(table) == {**before, "wsConnectionId": CONN}
    assert [r.getMessage() for r in logs].count("WebSocket connected") == 1

    # The browser reconnects: the new connection replaces the old one.
    request = event("qr_ws_connect")
    request["requestContext"]["connectionId"] = "P9b3WfJspBNDKlR="
    assert call(app, request)[0] == 200
    assert stored(table)["wsConnectionId"] == "P9b3WfJspBNDKlR="


def test_connections_that_cannot_join_are_rejected(
    app: ModuleType, table: Any, event: Event
) -> None:
    # A missing id is a bad request; a session that cannot be joined is a 404.
    before = put_session(table, status="AWAITING_SCAN", wsConnectionId=None)
    expired = put_session(table, OTHER, wsConnectionId=None, expiresAt=NOW - 1)

    for query in ["absent", None, {}, {"sessionId": ""}, {"session": SID}, "sessionId=x"]:
        request = event("qr_ws_connect")
        if query == "absent":
            del request["queryStringParameters"]
        else:
            request["queryStringParameters"] = query
        assert call(app, request) == (400, {"error": "sessionId is required"}), query

    for session_id in [SID.upper(), "../" + SID, SID + "\n", "x" * 50_000, 42, [SID]]:
        request = event("qr_ws_connect")
        request["queryStringParameters"] = {"sessionId": session_id}
        assert call(app, request) == (404, {"error": "Invalid sessionId format"}), session_id

    request = event("qr_ws_connect")
    request["queryStringParameters"] = {"sessionId": "0d7c6e59-58a1-4b8e-9d41-7a8f5e3b2c10"}
    assert call(app, request) == (404, {"error": "Session not found"})

    request["queryStringParameters"] = {"sessionId": OTHER}
    assert call(app, request) == (404, {"error": "Session expired"})

    for context in [{"routeKey": "$connect"}, {"routeKey": "$connect", "connectionId": ""}]:
        request = event("qr_ws_connect")
        request["requestContext"] = context
        assert call(app, request) == (400, {"error": "connectionId is required"})
    # No rejection changed either session.
    assert (stored(table), stored(table, OTHER)) == (before, expired)


def test_a_session_that_expires_away_is_not_written_back(
    app: ModuleType, table: Any, monkeypatch: pytest.MonkeyPatch, event: Event
) -> None:
    # Gone between the handler's read and its write (TTL): no fragment may be written back.
    before = put_session(table, status="AWAITING_SCAN", wsConnectionId=None)
    expired = put_session(table, OTHER, wsConnectionId=None, expiresAt=NOW - 1)
    table.delete_item(Key={"sessionId": SID})
    monkeypatch.setattr(app.websocket_connect, "get_session", lambda _: before)
    assert call(app, event("qr_ws_connect")) == (404, {"error": "Session not found"})

    assert table.scan()["Items"] == [expired]
