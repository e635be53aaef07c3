"""Seed 004: QR-upload sessions, presigned upload URLs and the upload-completion event."""

from __future__ import annotations

import datetime
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

from orchestrator.aws.integration.api import ApiRequest
from orchestrator.aws.integration.support import (
    CheckContext,
    CheckFailure,
    expect,
    expect_status,
    json_object,
)

HTTP_WORKFLOW = "func-qr-upload-http-api"
EVENT_WORKFLOW = "func-qr-upload-websocket-event"
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


def s3_object_created_event(bucket: str, key: str, size: int, etag: str) -> dict[str, Any]:
    """An S3 ObjectCreated:Put notification of one object (key URL-encoded, as S3 sends it)."""
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventTime": now.replace("+00:00", "Z"),
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "session-uploads",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {
                        "key": urllib.parse.quote_plus(key),
                        "size": size,
                        "eTag": etag.strip('"'),
                        "sequencer": uuid.uuid4().hex[:18].upper(),
                    },
                },
            }
        ]
    }


def _notify_upload(ctx: CheckContext, key: str) -> None:
    """Deliver the upload's ObjectCreated event to the event function.

    Sent by the suite rather than awaited from the bucket's notification: the sandbox does not
    deliver S3 notifications, and on AWS the second delivery is what S3's at-least-once
    delivery may do anyway (the function completes a session idempotently).
    """
    bucket = ctx.deployment.output("s3-qr-uploads", "BucketName")
    head = ctx.deployment.client("s3").head_object(Bucket=bucket, Key=key)
    event = s3_object_created_event(bucket, key, int(head["ContentLength"]), head["ETag"])
    result = json_object(ctx.deployment.invoke(EVENT_WORKFLOW, event), "S3 event response")
    expect(result.get("statusCode") == 200, f"S3 event answered {result!r:.300}")


def qr_session_created(ctx: CheckContext) -> None:
    """POST /sessions stores a session AWAITING_SCAN."""
    session_id = _create_session(ctx)
    status = _status(_session_item(ctx, session_id))
    expect(status == "AWAITING_SCAN", f"new session {session_id} is {status!r}")


def qr_upload_completes_session(ctx: CheckContext) -> None:
    """Session → GET /upload-url → PUT to it → ObjectCreated → the session is COMPLETED."""
    session_id = _create_session(ctx)
    response = ctx.api.call(ApiRequest("GET /upload-url", query={"sessionId": session_id}))
    expect_status(response, 200, "GET /upload-url")
    issued = json_object(response.body, "GET /upload-url")
    key, url = str(issued.get("uploadKey")), str(issued.get("uploadUrl"))
    expect(key.startswith(f"{UPLOAD_PREFIX}{session_id}/"), f"upload key {key!r}")
    status = _status(_session_item(ctx, session_id))
    expect(status == "UPLOAD_REQUESTED", f"after GET /upload-url the session is {status!r}")
    _upload(ctx, url, key)
    _notify_upload(ctx, key)
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
