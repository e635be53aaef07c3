"""GET /upload-url?sessionId=…: a presigned S3 PUT URL for the session's image.

The size limit of an upload: seed 004 specifies a PUT URL, and a presigned PUT cannot bound the
body's size the way a presigned POST's `content-length-range` condition does (a signed
Content-Length would fix one exact size, which the phone does not know when it asks). An upload
is therefore bounded by what the URL allows: one key, for 5 minutes, at most S3's 5 GB for a
single PUT (https://docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html), and the
bucket expires session-uploads/ after 7 days (stacks/s3-qr-uploads).
"""

import time
from typing import Any

import boto3
from boto3.dynamodb.conditions import Attr
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from shared.config import require_env
from shared.constants import (
    INTERNAL_ERROR_MESSAGE,
    PRESIGNED_URL_EXPIRY_SECONDS,
    SESSION_STATUS,
    UPLOAD_BUCKET_NAME_ENV,
    UPLOAD_CONTENT_TYPE,
)
from shared.logging import get_logger
from shared.validators import (
    INVALID_SESSION_ID,
    SESSION_COMPLETED,
    SESSION_EXPIRED,
    SESSION_ID_REQUIRED,
    SESSION_NOT_FOUND,
    build_upload_key,
    get_query_parameter,
    is_session_completed,
    validate_session,
    validate_session_id,
)
from utils.dynamodb import get_session, update_session
from utils.response import error_response, success_response

logger = get_logger(__name__)

UPLOAD_BUCKET_NAME = require_env(UPLOAD_BUCKET_NAME_ENV)

# SigV4 explicitly: it signs the Content-Type header, so the URL only accepts the declared type.
s3_client = boto3.client("s3", config=Config(signature_version="s3v4"))

# The seed's error list: a missing id is a bad request, an id naming no session (malformed or
# unknown) is not found, and a session that exists but cannot take an upload is a bad request.
STATUS_CODES = {
    SESSION_ID_REQUIRED: 400,
    INVALID_SESSION_ID: 404,
    SESSION_NOT_FOUND: 404,
    SESSION_EXPIRED: 400,
    SESSION_COMPLETED: 400,
}


def _reject(reason: str) -> dict[str, Any]:
    status_code = STATUS_CODES[reason]
    logger.info("Upload URL refused", extra={"reason": reason, "statusCode": status_code})
    return error_response(reason, status_code)


def _session_error(session: dict[str, Any] | None, now: int) -> str | None:
    valid, error = validate_session(session, now)
    if not valid:
        return error
    if session is not None and is_session_completed(session):
        return SESSION_COMPLETED
    return None


def _issue(session_id: str, now: int) -> dict[str, str] | None:
    """Presign the upload and record it on the session; None when the session changed
    (completed, or expired away) since the handler read it."""
    upload_key = build_upload_key(session_id, now)
    upload_url = s3_client.generate_presigned_url(
        "put_object",
        Params={
            "Bucket": UPLOAD_BUCKET_NAME,
            "Key": upload_key,
            "ContentType": UPLOAD_CONTENT_TYPE,
        },
        ExpiresIn=PRESIGNED_URL_EXPIRY_SECONDS,
    )
    # Conditional, so an upload completing between the read and this write cannot move a
    # COMPLETED session back to UPLOAD_REQUESTED.
    updated = update_session(
        session_id,
        {"status": SESSION_STATUS["UPLOAD_REQUESTED"], "uploadKey": upload_key},
        condition=Attr("status").ne(SESSION_STATUS["COMPLETED"]),
    )
    return None if updated is None else {"uploadUrl": upload_url, "uploadKey": upload_key}


def handle(event: dict[str, Any]) -> dict[str, Any]:
    """
    Validates session and generates presigned S3 URL
    """
    # One clock reading for the expiry check and the key, so they cannot disagree.
    now = int(time.time())
    session_id = get_query_parameter(event, "sessionId")
    valid, error = validate_session_id(session_id)
    if not valid:
        return _reject(error or INVALID_SESSION_ID)

    try:
        session = get_session(session_id)
    except (BotoCoreError, ClientError):
        logger.exception("Failed to read session", extra={"sessionId": session_id})
        return error_response(INTERNAL_ERROR_MESSAGE, 500)
    error = _session_error(session, now)
    if error:
        return _reject(error)

    try:
        issued = _issue(session_id, now)
        # Lost the race (or the session expired away): read again to answer accurately.
        session = get_session(session_id) if issued is None else session
    except (BotoCoreError, ClientError):
        logger.exception("Failed to issue upload URL", extra={"sessionId": session_id})
        return error_response(INTERNAL_ERROR_MESSAGE, 500)
    if issued is None:
        return _reject(_session_error(session, now) or SESSION_COMPLETED)

    # Only the key: the URL itself lets anyone upload until it expires.
    logger.info(
        "Upload URL issued", extra={"sessionId": session_id, "uploadKey": issued["uploadKey"]}
    )
    return success_response(issued)
