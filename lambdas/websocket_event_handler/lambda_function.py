"""Entry point of qr-upload-websocket-event-{environment} (seed 004).

Routes API Gateway WebSocket $connect/$disconnect and S3 ObjectCreated events.
"""

from typing import Any

from handlers import s3_upload_completion, websocket_connect, websocket_disconnect
from shared.constants import INTERNAL_ERROR_MESSAGE
from shared.logging import get_logger
from utils.response import error_response

logger = get_logger(__name__)

UNKNOWN_EVENT_TYPE = "Unknown event type"

WEBSOCKET_ROUTES = {
    "$connect": websocket_connect.handle,
    "$disconnect": websocket_disconnect.handle,
}


def _is_s3_event(event: dict[str, Any]) -> bool:
    records = event.get("Records")
    return (
        isinstance(records, list)
        and bool(records)
        and isinstance(records[0], dict)
        and ("s3" in records[0])
    )


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """
    Routes events to appropriate handlers based on event type
    """
    if not isinstance(event, dict):
        return error_response(UNKNOWN_EVENT_TYPE, 400)

    request_context = event.get("requestContext")
    if isinstance(request_context, dict) and "routeKey" in request_context:
        route_key = request_context["routeKey"]
        handler = WEBSOCKET_ROUTES.get(route_key) if isinstance(route_key, str) else None
        if handler is None:
            logger.info("Unknown WebSocket route", extra={"routeKey": str(route_key)[:64]})
            return error_response(UNKNOWN_EVENT_TYPE, 400)
        logger.info(
            "WebSocket event",
            extra={"routeKey": route_key, "connectionId": request_context.get("connectionId")},
        )
        try:
            return handler(event)
        except Exception:
            # A rejected connection is the safe outcome of a bug; details stay in the log.
            logger.exception("Unhandled error", extra={"routeKey": route_key})
            return error_response(INTERNAL_ERROR_MESSAGE, 500)

    if _is_s3_event(event):
        logger.info("S3 event", extra={"records": len(event["Records"])})
        # Not caught: a failed S3 invocation is retried by Lambda, a caught one would be lost.
        return s3_upload_completion.handle(event)

    logger.warning("Unknown event type", extra={"keys": sorted(map(str, event))[:20]})
    return error_response(UNKNOWN_EVENT_TYPE, 400)
