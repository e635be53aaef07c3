"""Entry point of qr-upload-http-api-{environment} (seed 004): routes HTTP API 2.0 requests."""

from collections.abc import Callable
from typing import Any

from handlers import create_session, generate_presigned_url
from shared.constants import INTERNAL_ERROR_MESSAGE
from shared.logging import get_logger
from utils.response import error_response

logger = get_logger(__name__)

ROUTES: dict[tuple[str, str], Callable[[dict[str, Any]], dict[str, Any]]] = {
    ("POST", "/sessions"): create_session.handle,
    ("GET", "/upload-url"): generate_presigned_url.handle,
}


def _method_and_path(event: Any) -> tuple[str, str]:
    request_context = event.get("requestContext") if isinstance(event, dict) else None
    http = request_context.get("http") if isinstance(request_context, dict) else None
    if not isinstance(http, dict):
        return "", ""
    method, path = http.get("method"), http.get("path")
    if not isinstance(method, str) or not isinstance(path, str):
        return "", ""
    # On a named stage (not $default) API Gateway puts the stage in front of the path.
    stage = request_context.get("stage") if isinstance(request_context, dict) else None
    if isinstance(stage, str) and stage and stage != "$default" and path.startswith(f"/{stage}/"):
        path = path[len(stage) + 1 :]
    return method, path


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """
    Routes HTTP API requests to appropriate handlers
    """
    method, path = _method_and_path(event)
    request_id = getattr(context, "aws_request_id", None)
    handler = ROUTES.get((method, path))
    if handler is None:
        logger.info(
            "Route not found",
            extra={"method": method[:16], "path": path[:256], "requestId": request_id},
        )
        return error_response("Not Found", 404)
    logger.info("Request", extra={"method": method, "path": path, "requestId": request_id})
    try:
        return handler(event)
    except Exception:
        # Last line of defence: whatever escaped a handler is logged in full, never shown.
        logger.exception("Unhandled error", extra={"method": method, "path": path})
        return error_response(INTERNAL_ERROR_MESSAGE, 500)
