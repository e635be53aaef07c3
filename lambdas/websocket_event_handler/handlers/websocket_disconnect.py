"""$disconnect: detach the connection from its session."""

from typing import Any

from shared.logging import get_logger
from utils.dynamodb import clear_connection_id, get_session_by_connection_id
from utils.response import success_response

logger = get_logger(__name__)


def handle(event: dict[str, Any]) -> dict[str, Any]:
    """
    Remove connectionId from session
    """
    request_context = event.get("requestContext")
    connection_id = (
        request_context.get("connectionId") if isinstance(request_context, dict) else None
    )
    if isinstance(connection_id, str) and connection_id:
        try:
            session = get_session_by_connection_id(connection_id)
            if session:
                # Conditional: if the client already reconnected, the newer id must survive.
                clear_connection_id(session["sessionId"], connection_id)
                logger.info(
                    "WebSocket disconnected",
                    extra={"sessionId": session["sessionId"], "connectionId": connection_id},
                )
        except Exception:
            # The connection is closed whatever we answer; a failure here must not surface.
            logger.exception("Failed to clear connection", extra={"connectionId": connection_id})
    return success_response({"message": "Disconnected"})
