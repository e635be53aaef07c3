"""S3 ObjectCreated (handlers/s3_upload_completion.py): the session completes and its connection
is told; stale connections are forgotten; foreign keys are ignored."""

import logging
from types import ModuleType
from typing import Any
from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError

from tests.lambdas.support import (
    assert_logged_with_traceback,
)
from tests.lambdas.websocket_event_handler.helpers import (
    CONN,
    CONTEXT,
    KEY,
    NOW,
    OTHER,
    SID,
    Event,
    call,
    posted,
    put_session,
    s3_event,
    stored,
    stub_post_error,
)


def test_upload_completes_the_session_and_notifies_its_connection(
    app: ModuleType, table: Any, logs: list[logging.LogRecord], event: Event
) -> None:
    before = put_session(table)
    assert call(app, event("qr_s3_object_created")) == (200, {"processed": 1, "ignored": 0})
    assert stored(table) == {**before, "status": "COMPLETED", "uploadKey": KEY, "completedAt": NOW}
    assert posted(CONN) == [
        {"action": "UPLOAD_COMPLETED", "sessionId": SID, "uploadKey": KEY, "timestamp": NOW}
    ]
    completed = [r for r in logs if r.getMessage() == "Upload completed"]
    assert [(r.sessionId, r.bucket) for r in completed] == [(SID, "qr-upload-images-dev")]  # type: ignore[attr-defined]

    # Every record is processed, and keys arrive URL-encoded.
    put_session(table, status="AWAITING_SCAN", wsConnectionId=None, uploadKey=None)
    put_session(table, OTHER, wsConnectionId="P9b3WfJspBNDKlR=")
    encoded = quote(f"session-uploads/{SID}/image-1763799399", safe="")
    other_key = f"session-uploads/{OTHER}/image-1763799398"
    assert call(app, s3_event(event, encoded, other_key)) == (200, {"processed": 2, "ignored": 0})
    # The decoded key is stored: the S3 key is the truth, whatever key was issued last.
    first, second = stored(table), stored(table, OTHER)
    assert (first["status"], first["uploadKey"]) == (
        "COMPLETED",
        f"session-uploads/{SID}/image-1763799399",
    )
    assert (second["status"], second["uploadKey"]) == ("COMPLETED", other_key)
    # No connection, no message; the other session's connection gets its own.
    assert len(posted(CONN)) == 1
    assert [m["sessionId"] for m in posted("P9b3WfJspBNDKlR=")] == [OTHER]


def test_stale_connection_is_forgotten_other_send_errors_are_raised(
    app: ModuleType, table: Any, logs: list[logging.LogRecord], event: Event
) -> None:
    before = put_session(table)
    with stub_post_error("GoneException", 410) as stub:
        assert call(app, event("qr_s3_object_created")) == (200, {"processed": 1, "ignored": 0})
        stub.assert_no_pending_responses()
    assert stored(table) == {
        **before,
        "status": "COMPLETED",
        "uploadKey": KEY,
        "completedAt": NOW,
        "wsConnectionId": None,
    }
    stale = [r for r in logs if r.getMessage() == "Stale connection"]
    assert [(r.levelname, r.connectionId) for r in stale] == [("WARNING", CONN)]  # type: ignore[attr-defined]

    # Any other send error is logged and raised.
    put_session(table)
    with stub_post_error("LimitExceededException", 429), pytest.raises(ClientError) as raised:
        app.lambda_handler(event("qr_s3_object_created"), CONTEXT)
    assert raised.value.response["Error"]["Code"] == "LimitExceededException"
    assert_logged_with_traceback(logs, "Error sending message")
    # The completion itself stands, and the connection is kept for the retry.
    assert (stored(table)["status"], stored(table)["wsConnectionId"]) == ("COMPLETED", CONN)


def test_hostile_foreign_and_unknown_keys_are_ignored(
    app: ModuleType, table: Any, event: Event
) -> None:
    before = put_session(table)
    keys = [
        "session-uploads/not-a-uuid/image-1",
        f"session-uploads/../session-uploads/{SID}/image-1",
        f"session-uploads/{SID}/../{SID}/image-1",
        quote(f"session-uploads/{SID}/../../etc/passwd", safe=""),
        f"session-uploads/{SID}/image-1/extra",
        f"session-uploads/{SID}/image-",
        f"session-uploads/{SID.upper()}/image-1",
        f"other-prefix/{SID}/image-1",
        f"session-uploads%2F{SID}%2Fimage-1%00",
        "session-uploads/" + "a" * 1000,
        f"session-uploads/{OTHER}/image-1",  # well formed, but no such session
    ]
    assert call(app, s3_event(event, *keys)) == (200, {"processed": 0, "ignored": len(keys)})
    removed = s3_event(event, KEY, name="ObjectRemoved:Delete")
    assert call(app, removed) == (200, {"processed": 0, "ignored": 1})
    junk: dict[str, Any] = {"Records": [{"s3": {}}, {"s3": {"object": {"key": 7}}}, "x", None]}
    assert call(app, junk) == (200, {"processed": 0, "ignored": 4})

    assert table.scan()["Items"] == [before]
    assert posted(CONN) == []
