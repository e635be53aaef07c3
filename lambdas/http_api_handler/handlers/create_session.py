"""POST /sessions: start a QR-upload session."""

import time
import uuid
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from shared.constants import INTERNAL_ERROR_MESSAGE, SESSION_EXPIRY_MINUTES, SESSION_STATUS
from shared.logging import get_logger
from utils.dynamodb import save_session
from utils.response import error_response, success_response

logger = get_logger(__name__)


def handle(event: dict[str, Any]) -> dict[str, Any]:
    """
    Creates new session in DynamoDB
    Returns sessionId and expiration time
    """
    # The request body is not read: a session has no client-supplied attributes, so nothing a
    # client sends can change what is stored.
    now = int(time.time())
    session = {
        "sessionId": str(uuid.uuid4()),
        "status": SESSION_STATUS["AWAITING_SCAN"],
        "createdAt": now,
        "expiresAt": now + SESSION_EXPIRY_MINUTES * 60,
        "wsConnectionId": None,
        "uploadKey": None,
    }
    try:
        save_session(session)
    except (BotoCoreError, ClientError):
        logger.exception("Failed to save session", extra={"sessionId": session["sessionId"]})
        return error_response(INTERNAL_ERROR_MESSAGE, 500)
    logger.info(
        "Session created",
        extra={"sessionId": session["sessionId"], "expiresAt": session["expiresAt"]},
    )
    return success_response({"sessionId": session["sessionId"], "expiresAt": session["expiresAt"]})
