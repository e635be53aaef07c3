"""$disconnect (handlers/websocket_disconnect.py): the connection leaves its session; always 200."""

from types import ModuleType
from typing import Any

import pytest

from tests.lambdas.websocket_event_handler.helpers import (
    CONN,
    OTHER,
    Event,
    call,
    put_session,
    stored,
)


def test_disconnect_clears_the_connection(
    app: ModuleType, table: Any, monkeypatch: pytest.MonkeyPatch, event: Event
) -> None:
    before = put_session(table)
    other = put_session(table, OTHER, wsConnectionId="P9b3WfJspBNDKlR=")
    assert call(app, event("qr_ws_disconnect")) == (200, {"message": "Disconnected"})
    assert stored(table) == {**before, "wsConnectionId": None}
    assert stored(table, OTHER) == other

    # Unknown or missing connections still answer 200 and touch nothing.
    for context in [
        {"routeKey": "$disconnect", "connectionId": "unknown="},
        {"routeKey": "$disconnect"},
        {"routeKey": "$disconnect", "connectionId": {"S": CONN}},
    ]:
        assert call(app, {"requestContext": context}) == (200, {"message": "Disconnected"})
    assert stored(table, OTHER) == other

    # The lookup found the session, but the browser reconnected before the write: the newer
    # connection must survive.
    stale = put_session(table)
    put_session(table, wsConnectionId="Q0c4XgKtqCOELmS=")
    monkeypatch.setattr(app.websocket_disconnect, "get_session_by_connection_id", lambda _: stale)
    assert call(app, event("qr_ws_disconnect"))[0] == 200
    assert stored(table)["wsConnectionId"] == "Q0c4XgKtqCOELmS="
