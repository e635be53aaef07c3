"""$connect: attach the WebSocket connection to its session (any non-200 rejects it)."""

import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from shared.constants import INTERNAL_ERROR_MESSAGE
from shared.logging import get_logger
from shared.validators import (
    INVALID_SESSION_ID,
    SESSION_EXPIRED,
    SESSION_ID_REQUIRED,
    SESSION_NOT_FOUND,
    get_query_parameter,
    validate_session,
    validate_session_id,
)
from utils.dynamodb import get_session, update_session
from utils.response import error_response, success_response

logger = get_logger(__name__)

CONNECTION_ID_REQUIRED = "connectionId is required"

# The seed's list: a missing sessionId is a bad request, any session that cannot be joined
# (malformed id, unknown, expired) is an invalid session, 404.
STATUS_CODES = {
    CONNECTION_ID_REQUIRED: 400,
    SESSION_ID_REQUIRED: 400,
    INVALID_SESSION_ID: 404,
    SESSION_NOT_FOUND: 404,
    SESSION_EXPIRED: 404,
}


def _reject(reason: str) -> dict[str, Any]:
    status_code = STATUS_CODES[reason]
    logger.info("Connection rejected", extra={"reason": reason, "statusCode": status_code})
    return error_response(reason, status_code)


def handle(event: dict[str, Any]) -> dict[str, Any]:
    """
    Save connectionId for session
    """
    request_context = event.get("requestContext")
    connection_id = (
        request_context.get("connectionId") if isinstance(request_context, dict) else None
    )
    if not isinstance(connection_id, str) or not connection_id:
        return _reject(CONNECTION_ID_REQUIRED)

    session_id = get_query_parameter(event, "sessionId")
    valid, error = validate_session_id(session_id)
    if not valid:
        return _reject(error or INVALID_SESSION_ID)

    try:
        valid, error = validate_session(get_session(session_id), int(time.time()))
        if not valid:
            return _reject(error or SESSION_NOT_FOUND)
        updated = update_session(session_id, {"wsConnectionId": connection_id})
    except (BotoCoreError, ClientError):
        logger.exception("Failed to register connection", extra={"sessionId": session_id})
        return error_response(INTERNAL_ERROR_MESSAGE, 500)
    if updated is None:
        return _reject(SESSION_NOT_FOUND)

    logger.info(
        "WebSocket connected", extra={"sessionId": session_id, "connectionId": connection_id}
    )
    return success_response({"message": "Connected"})
