"""POST /sessions (handlers/create_session.py): the seed's session record, whatever is sent."""

import logging
import uuid
from types import ModuleType
from typing import Any

from tests.lambdas.http_api_handler.helpers import (
    CORS,
    NOW,
    Event,
    call,
    stored,
)


def test_create_session_stores_the_seeds_record(
    app: ModuleType, table: Any, logs: list[logging.LogRecord], event: Event
) -> None:
    status, body, headers = call(app, event("qr_http_post_sessions"))
    assert status == 200
    assert headers == {
        **CORS,
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type",
    }
    assert set(body) == {"sessionId", "expiresAt"}
    assert str(uuid.UUID(body["sessionId"])) == body["sessionId"]
    assert uuid.UUID(body["sessionId"]).version == 4
    assert body["expiresAt"] == NOW + 30 * 60
    assert stored(table, body["sessionId"]) == {
        "sessionId": body["sessionId"],
        "status": "AWAITING_SCAN",
        "createdAt": NOW,
        "expiresAt": NOW + 1800,
        "wsConnectionId": None,
        "uploadKey": None,
    }
    created = [r for r in logs if r.getMessage() == "Session created"]
    assert [r.sessionId for r in created] == [body["sessionId"]]  # type: ignore[attr-defined]


def test_the_body_is_never_read_every_request_gets_a_new_fresh_session(
    app: ModuleType, table: Any, event: Event
) -> None:
    bodies = [
        None,
        "",
        "not json",
        "null",
        "[]",
        '{"sessionId": "00000000-0000-0000-0000-000000000000", "status": "COMPLETED"}',
        '{"expiresAt": 99999999999, "wsConnectionId": "attacker="}',
        "x" * 1_000_000,
    ]
    ids = set()
    for sent in bodies:
        request = event("qr_http_post_sessions")
        request["body"] = sent
        status, response, _ = call(app, request)
        item = stored(table, response["sessionId"])
        assert status == 200, sent
        assert (item["status"], item["expiresAt"], item["wsConnectionId"]) == (
            "AWAITING_SCAN",
            NOW + 1800,
            None,
        )
        ids.add(response["sessionId"])
    assert len(ids) == len(bodies)
    assert table.scan()["Count"] == len(bodies)
