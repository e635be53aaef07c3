"""GET /upload-url (handlers/generate_presigned_url.py): a presigned PUT for a session that can
take an upload, and the seed's 400/404/500 answers otherwise."""

import copy
import json
import logging
import sys
import uuid
from decimal import Decimal
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from tests.lambdas.http_api_handler.helpers import (
    BUCKET,
    CORS,
    NOW,
    SID,
    Event,
    call,
    freeze,
    put_session,
    stored,
    upload_url_event,
)
from tests.lambdas.support import assert_logged_with_traceback


def test_upload_url_is_issued_and_session_moves_to_upload_requested(
    app: ModuleType, table: Any, logs: list[logging.LogRecord], event: Event
) -> None:
    before = put_session(table)
    request = event("qr_http_get_upload_url")
    original = copy.deepcopy(request)
    status, body, headers = call(app, request)
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "*"
    key = f"session-uploads/{SID}/image-{NOW}"
    assert body["uploadKey"] == key
    assert stored(table) == {**before, "status": "UPLOAD_REQUESTED", "uploadKey": key}
    assert request == original
    issued = [r for r in logs if r.getMessage() == "Upload URL issued"]
    assert [r.uploadKey for r in issued] == [key]  # type: ignore[attr-defined]
    # The URL is a credential (anyone holding it can upload): it never reaches the log.
    assert not any("X-Amz-Signature" in str(vars(r)) for r in logs)

    url = urlsplit(body["uploadUrl"])
    query = parse_qs(url.query)
    assert url.scheme == "https"
    assert url.hostname == f"{BUCKET}.s3.amazonaws.com"
    assert url.path == f"/{key}"
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["300"]
    # content-type among the signed headers: the URL carries the ContentType parameter.
    assert query["X-Amz-SignedHeaders"] == ["content-type;host"]


def test_the_url_takes_the_upload_and_each_request_gets_a_fresh_key(
    app: ModuleType, table: Any, monkeypatch: pytest.MonkeyPatch, event: Event
) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    before = put_session(table)
    body = call(app, event("qr_http_get_upload_url"))[1]
    key = body["uploadKey"]

    # The phone uploads with it: the object lands under the key.
    image = b"\x89PNG fake image"
    response = requests.put(body["uploadUrl"], data=image, headers={"Content-Type": "image/*"})
    assert response.status_code == 200
    obj = s3.get_object(Bucket=BUCKET, Key=key)
    assert (obj["Body"].read(), obj["ContentType"]) == (image, "image/*")

    # The phone asks again: a fresh key, and the session remembers the last one.
    freeze(app, monkeypatch, NOW + 5)
    status, second, _ = call(app, event("qr_http_get_upload_url"))
    assert status == 200
    assert second["uploadKey"] == f"session-uploads/{SID}/image-{NOW + 5}"
    assert stored(table) == {
        **before,
        "status": "UPLOAD_REQUESTED",
        "uploadKey": second["uploadKey"],
    }


def test_missing_session_ids_are_400(app: ModuleType, table: Any, event: Event) -> None:
    before = put_session(table)
    missing = [
        "absent",
        None,
        {},
        {"other": SID},
        {"sessionId": ""},
        {"sessionId": None},
        {"sessionId": []},
        {"SessionId": SID},
        "sessionId=" + SID,
        [SID],
    ]
    for query in missing:
        request = event("qr_http_get_upload_url")
        if query == "absent":
            del request["queryStringParameters"]
        else:
            request["queryStringParameters"] = query
        assert call(app, request)[:2] == (400, {"error": "sessionId is required"}), query
    assert table.scan()["Items"] == [before]


def test_malformed_session_ids_are_404_and_never_logged(
    app: ModuleType, table: Any, logs: list[logging.LogRecord], event: Event
) -> None:
    before = put_session(table)
    malformed = [
        "abc",
        SID.upper(),
        "{" + SID + "}",
        "urn:uuid:" + SID,
        SID.replace("-", ""),
        SID + "\n",
        f"{SID},{SID}",  # a repeated parameter, as HTTP API 2.0 joins it
        "../" * 1000,
        f"session-uploads/{SID}/image-1",
        "'; DROP TABLE sessions; --",
        "x" * 100_000,
        123,
        ["a"],
        {"S": SID},
        True,
    ]
    for session_id in malformed:
        assert call(app, upload_url_event(event, session_id))[:2] == (
            404,
            {"error": "Invalid sessionId format"},
        ), str(session_id)[:40]

    assert table.scan()["Items"] == [before]
    refused = [r for r in logs if r.getMessage() == "Upload URL refused"]
    assert len(refused) == len(malformed)
    # Refusals are logged by reason, never with the hostile input itself.
    assert not any("../" in json.dumps(vars(r), default=str) for r in refused)


def test_an_unknown_session_is_404(app: ModuleType, table: Any, event: Event) -> None:
    unknown = str(uuid.uuid4())
    assert call(app, upload_url_event(event, unknown))[:2] == (404, {"error": "Session not found"})
    assert table.scan()["Count"] == 0


def test_expired_sessions_are_refused_and_unchanged(
    app: ModuleType, table: Any, monkeypatch: pytest.MonkeyPatch, event: Event
) -> None:
    put_session(table, createdAt=NOW - 1800, expiresAt=NOW)
    assert call(app, event("qr_http_get_upload_url"))[0] == 200  # still valid this second
    before = put_session(table, createdAt=NOW - 1800, expiresAt=NOW)
    freeze(app, monkeypatch, NOW + 1)
    assert call(app, event("qr_http_get_upload_url"))[:2] == (400, {"error": "Session expired"})
    assert stored(table) == before
    for expires_at in ["soon", None, Decimal("0"), [NOW + 100]]:
        put_session(table, expiresAt=expires_at)
        assert call(app, event("qr_http_get_upload_url"))[:2] == (
            400,
            {"error": "Session expired"},
        ), expires_at


def test_completed_sessions_are_refused_and_unchanged(
    app: ModuleType, table: Any, event: Event
) -> None:
    before = put_session(
        table,
        status="COMPLETED",
        uploadKey=f"session-uploads/{SID}/image-{NOW - 10}",
        completedAt=NOW - 10,
        expiresAt=NOW + 1000,
    )
    assert call(app, event("qr_http_get_upload_url"))[:2] == (
        400,
        {"error": "Session already completed"},
    )
    assert stored(table) == before


def test_the_write_is_conditional_on_the_state_just_read(
    app: ModuleType, table: Any, monkeypatch: pytest.MonkeyPatch, event: Event
) -> None:
    real_get = app.generate_presigned_url.get_session

    def first_read_sees(stale: dict[str, Any]) -> None:
        reads = iter([stale])
        monkeypatch.setattr(
            app.generate_presigned_url,
            "get_session",
            lambda sid: next(reads, None) or real_get(sid),
        )

    # The upload completes between the handler's read and its write: COMPLETED must stay.
    stale = put_session(table)
    done = put_session(table, status="COMPLETED", uploadKey="k", completedAt=NOW)
    first_read_sees(stale)
    assert call(app, event("qr_http_get_upload_url"))[:2] == (
        400,
        {"error": "Session already completed"},
    )
    assert stored(table) == done

    # The session disappears (TTL) in between: not found, and no fragment is written back.
    table.delete_item(Key={"sessionId": SID})
    first_read_sees(stale)
    assert call(app, event("qr_http_get_upload_url"))[:2] == (404, {"error": "Session not found"})
    assert table.scan()["Count"] == 0


INTERNAL = (500, {"error": "Internal Server Error"})


def test_s3_and_dynamodb_failures_while_issuing_are_500_and_logged(
    app: ModuleType,
    table: Any,
    monkeypatch: pytest.MonkeyPatch,
    logs: list[logging.LogRecord],
    event: Event,
) -> None:
    before = put_session(table)

    def fail(*_: Any, **__: Any) -> str:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "PutObject")

    with monkeypatch.context() as patch:
        patch.setattr(app.generate_presigned_url.s3_client, "generate_presigned_url", fail)
        assert call(app, event("qr_http_get_upload_url"))[:2] == INTERNAL
    assert stored(table) == before
    assert_logged_with_traceback(logs, "Failed to issue upload URL")

    logs.clear()
    with Stubber(sys.modules["utils.dynamodb"].table.meta.client) as stub:
        stub.add_response(
            "get_item",
            {"Item": {"sessionId": {"S": SID}, "expiresAt": {"N": str(NOW + 600)}}},
        )
        stub.add_client_error(
            "update_item",
            service_error_code="ProvisionedThroughputExceededException",
            service_message="Rate of requests exceeds the allowed throughput",
            http_status_code=400,
        )
        assert call(app, event("qr_http_get_upload_url"))[:2] == INTERNAL
        stub.assert_no_pending_responses()
    assert_logged_with_traceback(logs, "Failed to issue upload URL")


def test_unexpected_errors_and_an_unavailable_table_are_500_and_logged(
    app: ModuleType,
    table: Any,
    monkeypatch: pytest.MonkeyPatch,
    logs: list[logging.LogRecord],
    event: Event,
) -> None:
    def broken(_: Any) -> Any:
        raise RuntimeError("secret internal detail")

    with monkeypatch.context() as patch:
        patch.setitem(app.ROUTES, ("POST", "/sessions"), broken)
        assert call(app, event("qr_http_post_sessions"))[:2] == INTERNAL
    assert_logged_with_traceback(logs, "Unhandled error")

    logs.clear()
    table.delete()
    assert call(app, event("qr_http_get_upload_url"))[:2] == INTERNAL
    assert_logged_with_traceback(logs, "Failed to read session")
    status, body, headers = call(app, event("qr_http_post_sessions"))
    assert (status, body, headers) == (*INTERNAL, CORS)
    assert_logged_with_traceback(logs, "Failed to save session")
