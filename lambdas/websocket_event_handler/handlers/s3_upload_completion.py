"""S3 ObjectCreated under session-uploads/: complete the session and tell the web app."""

import time
import urllib.parse
from typing import Any

from shared.constants import SESSION_STATUS, WEBSOCKET_ACTIONS
from shared.logging import get_logger
from shared.validators import extract_session_id_from_key
from utils.dynamodb import clear_connection_id, get_session, update_session
from utils.response import success_response
from utils.websocket import send_message

logger = get_logger(__name__)


def _upload_key(record: Any) -> str | None:
    """The URL-decoded object key of an ObjectCreated record; None for any other record."""
    s3 = record.get("s3") if isinstance(record, dict) else None
    event_name = record.get("eventName") if isinstance(record, dict) else None
    if isinstance(event_name, str) and not event_name.startswith("ObjectCreated:"):
        logger.info("Ignored S3 event", extra={"eventName": event_name[:64]})
        return None
    obj = s3.get("object") if isinstance(s3, dict) else None
    raw_key = obj.get("key") if isinstance(obj, dict) else None
    if not isinstance(raw_key, str):
        logger.warning("S3 record without an object key")
        return None
    return urllib.parse.unquote_plus(raw_key)


def _bucket_name(record: dict[str, Any]) -> Any:
    # Only for the log: a record whose key was read has an `s3` mapping.
    bucket = record["s3"].get("bucket")
    return bucket.get("name") if isinstance(bucket, dict) else None


def _notify(session: dict[str, Any], key: str, completed_at: int) -> None:
    # The connection id of the updated item, not of an earlier read: the web app may have
    # reconnected in between.
    connection_id = session.get("wsConnectionId")
    if not isinstance(connection_id, str) or not connection_id:
        return
    message = {
        "action": WEBSOCKET_ACTIONS["UPLOAD_COMPLETED"],
        "sessionId": session["sessionId"],
        "uploadKey": key,
        "timestamp": completed_at,
    }
    if not send_message(connection_id, message):
        clear_connection_id(session["sessionId"], connection_id)


def _process(record: Any) -> bool:
    """Complete the session a record's object belongs to; False when the record is ignored."""
    key = _upload_key(record)
    if key is None:
        return False
    session_id = extract_session_id_from_key(key)
    if session_id is None:
        logger.warning("Ignored upload outside session keys", extra={"key": key[:1024]})
        return False
    if get_session(session_id) is None:
        logger.warning("Ignored upload for unknown session", extra={"sessionId": session_id})
        return False

    completed_at = int(time.time())
    updates = {"status": SESSION_STATUS["COMPLETED"], "uploadKey": key, "completedAt": completed_at}
    updated = update_session(session_id, updates)
    if updated is None:
        logger.warning("Session vanished before completion", extra={"sessionId": session_id})
        return False
    logger.info(
        "Upload completed",
        extra={"sessionId": session_id, "uploadKey": key, "bucket": _bucket_name(record)},
    )
    _notify(updated, key, completed_at)
    return True


def handle(event: dict[str, Any]) -> dict[str, Any]:
    """
    Process S3 upload event and send WebSocket notification

    DynamoDB and WebSocket failures propagate: the invocation fails and S3's asynchronous
    retry runs it again, which is safe because completing a session twice is harmless.
    """
    records = event.get("Records") or []
    processed = sum(1 for record in records if _process(record))
    return success_response({"processed": processed, "ignored": len(records) - processed})
