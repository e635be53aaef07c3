"""Seed 004: QR-upload sessions, presigned upload URLs and the upload-completion event, told
to the web app over the WebSocket API as on AWS: the bucket's notification invokes the event
function, which posts to the session's connection."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from orchestrator.aws.integration.api import ApiRequest
from orchestrator.aws.integration.support import (
    CheckContext,
    CheckFailure,
    expect,
    expect_status,
    json_object,
)

HTTP_WORKFLOW = "func-qr-upload-http-api"
UPLOAD_PREFIX = "session-uploads/"
IMAGE = b"\x89PNG\r\n\x1a\nfirefly integration test image"


def _session_item(ctx: CheckContext, session_id: str) -> dict[str, Any]:
    table = ctx.deployment.output("dynamodb-upload-sessions", "TableName")
    item: dict[str, Any] = (
        ctx.deployment.client("dynamodb")
        .get_item(
            TableName=table,
            Key={"sessionId": {"S": session_id}},
            ConsistentRead=True,
        )
        .get("Item", {})
    )
    return item


def _status(item: dict[str, Any]) -> str | None:
    status = item.get("status", {}).get("S")
    return str(status) if status is not None else None


def _create_session(ctx: CheckContext) -> str:
    """POST /sessions; the session is deleted at the end."""
    response = ctx.api.call(ApiRequest("POST /sessions"))
    expect_status(response, 200, "POST /sessions")
    session_id = str(json_object(response.body, "POST /sessions").get("sessionId"))
    table = ctx.deployment.output("dynamodb-upload-sessions", "TableName")
    dynamodb = ctx.deployment.client("dynamodb")
    ctx.defer(
        "delete the session",
        lambda: dynamodb.delete_item(TableName=table, Key={"sessionId": {"S": session_id}}),
    )
    return session_id


def _upload(ctx: CheckContext, url: str, key: str) -> None:
    """PUT the image to the presigned URL, as the phone's browser does."""
    bucket = ctx.deployment.output("s3-qr-uploads", "BucketName")
    s3 = ctx.deployment.client("s3")
    ctx.defer("delete the upload", lambda: s3.delete_object(Bucket=bucket, Key=key))
    # The URL signs the Content-Type the function declared, so the upload must send it as is.
    request = urllib.request.Request(
        url, data=IMAGE, method="PUT", headers={"Content-Type": "image/*"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            expect(answer.status == 200, f"PUT to the upload URL answered {answer.status}")
    except urllib.error.HTTPError as error:
        with error:
            raise CheckFailure(
                f"PUT to the upload URL answered {error.code}: {error.read()[:200]!r}"
            ) from None


@contextmanager
def _web_app_socket(ctx: CheckContext, session_id: str) -> Iterator[ClientConnection]:
    """The WebSocket the web app opens for its session (seed 004: `?sessionId=` on the URL the
    websocket-api stack publishes; the $connect handler records the connection)."""
    url = f"{ctx.deployment.output('websocket-api', 'WebSocketUrl')}?sessionId={session_id}"
    try:
        socket = connect(url, open_timeout=ctx.poll_seconds, close_timeout=10)
    except InvalidStatus as refused:
        raise CheckFailure(
            f"the WebSocket API refused the session's connection: "
            f"{refused.response.status_code} {refused.response.body[:200]!r}"
        ) from None
    except (OSError, InvalidHandshake, TimeoutError) as error:
        raise CheckFailure(f"cannot open the WebSocket {url.split('?')[0]}: {error}") from None
    with socket:
        yield socket


def _upload_completed(ctx: CheckContext, socket: ClientConnection) -> dict[str, Any]:
    """The notification the event function sends once S3 has told it about the upload."""
    try:
        message = socket.recv(timeout=ctx.poll_seconds)
    except TimeoutError:
        raise CheckFailure(
            f"no upload-completed message on the WebSocket within {ctx.poll_seconds:g} s"
        ) from None
    except ConnectionClosed as closed:
        raise CheckFailure(f"the WebSocket closed before the upload completed: {closed}") from None
    try:
        return json_object(json.loads(message), "the WebSocket message")
    except ValueError:
        raise CheckFailure(f"the WebSocket message is not JSON: {message!r:.200}") from None


def qr_session_created(ctx: CheckContext) -> None:
    """POST /sessions stores a session AWAITING_SCAN."""
    session_id = _create_session(ctx)
    status = _status(_session_item(ctx, session_id))
    expect(status == "AWAITING_SCAN", f"new session {session_id} is {status!r}")


def qr_upload_completes_session(ctx: CheckContext) -> None:
    """The web app's session and WebSocket → GET /upload-url → PUT to it → S3 tells the event
    function → the session is COMPLETED and the web app gets UPLOAD_COMPLETED on its socket."""
    session_id = _create_session(ctx)
    with _web_app_socket(ctx, session_id) as socket:
        response = ctx.api.call(ApiRequest("GET /upload-url", query={"sessionId": session_id}))
        expect_status(response, 200, "GET /upload-url")
        issued = json_object(response.body, "GET /upload-url")
        key, url = str(issued.get("uploadKey")), str(issued.get("uploadUrl"))
        expect(key.startswith(f"{UPLOAD_PREFIX}{session_id}/"), f"upload key {key!r}")
        status = _status(_session_item(ctx, session_id))
        expect(status == "UPLOAD_REQUESTED", f"after GET /upload-url the session is {status!r}")
        _upload(ctx, url, key)
        message = _upload_completed(ctx, socket)
    expect(
        (message.get("action"), message.get("sessionId"), message.get("uploadKey"))
        == ("UPLOAD_COMPLETED", session_id, key),
        f"the web app was told {message!r:.300}",
    )
    item = _session_item(ctx, session_id)
    expect(_status(item) == "COMPLETED", f"after the upload the session is {_status(item)!r}")
    recorded = item.get("uploadKey", {}).get("S")
    expect(recorded == key, f"the completed session records uploadKey {recorded!r}")
    expect("completedAt" in item, "the completed session has no completedAt")


def qr_upload_url_unknown_session_is_404(ctx: CheckContext) -> None:
    response = ctx.api.call(ApiRequest("GET /upload-url", query={"sessionId": str(uuid.uuid4())}))
    expect_status(response, 404, "GET /upload-url for an unknown session")


# the whole flow first: its second of work would otherwise start in a later wave, after another
# flow's long check on the same worker, and end the suite late
CHECKS = (qr_upload_completes_session, qr_session_created, qr_upload_url_unknown_session_is_404)
