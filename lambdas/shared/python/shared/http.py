"""API Gateway HTTP API (payload format 2.0) requests: claims, parameters, JSON bodies, errors.

Every parser here turns a client mistake into an `HttpError` with a 4xx status, never into an
unhandled exception, and `api_handler` turns any `HttpError` into the documented error response.
"""

import base64
import binascii
import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from shared.responses import error_response

# The routes served here take small JSON documents; anything bigger is a client mistake or an
# attack, and refusing it before decoding bounds the work done on it.
MAX_BODY_BYTES = 16 * 1024

Handler = Callable[[Any, Any], dict[str, Any]]


class HttpError(Exception):
    """A request that ends with an error response: `{"error": message, **details}`."""

    def __init__(self, status_code: int, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.details = details

    def to_response(self) -> dict[str, Any]:
        return error_response(self.message, self.status_code, **self.details)


def _mapping(parent: Any, key: str) -> dict[str, Any]:
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, dict) else {}


def jwt_claims(event: Any) -> dict[str, Any]:
    """The claims the JWT authorizer validated; 401 when there are none.

    API Gateway rejects bad tokens before invoking the function, so no claims means the route
    was deployed without the authorizer: refuse rather than act anonymously.
    """
    authorizer = _mapping(_mapping(event, "requestContext"), "authorizer")
    claims = _mapping(_mapping(authorizer, "jwt"), "claims")
    if not claims:
        raise HttpError(401, "Unauthorized")
    return claims


def caller_subject(event: Any) -> str:
    """The caller's `sub` claim (the Cognito user id); 401 when it is missing or blank."""
    subject = jwt_claims(event).get("sub")
    if not isinstance(subject, str) or not subject.strip():
        raise HttpError(401, "Unauthorized")
    return subject


def path_parameter(event: Any, name: str) -> str:
    value = _mapping(event, "pathParameters").get(name)
    if not isinstance(value, str) or not value:
        raise HttpError(400, f"Missing path parameter '{name}'")
    return value


def query_parameter(event: Any, name: str) -> str | None:
    """One query string value; HTTP API joins repeated parameters with commas."""
    value = _mapping(event, "queryStringParameters").get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise HttpError(400, f"Invalid query parameter '{name}'")
    return value


def bounded_int(value: str | None, name: str, *, default: int, minimum: int, maximum: int) -> int:
    """A decimal integer query value within [minimum, maximum]; `default` when absent."""
    if value is None:
        return default
    # isdecimal() alone accepts non-ASCII digits that int() would then happily convert.
    if not (value.isascii() and value.isdecimal()) or len(value) > 6:
        raise HttpError(400, f"'{name}' must be an integer between {minimum} and {maximum}")
    number = int(value)
    if not minimum <= number <= maximum:
        raise HttpError(400, f"'{name}' must be an integer between {minimum} and {maximum}")
    return number


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # With duplicate keys the last one silently wins; a proxy or WAF may have checked the first.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def json_body(event: Any, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The request body as a JSON object; 400 for anything else."""
    body = event.get("body") if isinstance(event, dict) else None
    if body is None or body == "":
        raise HttpError(400, "Request body is required")
    if not isinstance(body, str):
        raise HttpError(400, "Request body must be a JSON object")
    # Base64 inflates by 4/3: checking the encoded length first avoids decoding a huge body.
    if len(body) > max_bytes * 4 // 3 + 4:
        raise HttpError(400, f"Request body is larger than {max_bytes} bytes")
    try:
        raw = (
            base64.b64decode(body, validate=True)
            if event.get("isBase64Encoded") is True
            else body.encode("utf-8")
        )
    except (binascii.Error, ValueError):
        raise HttpError(400, "Request body is not valid base64 or UTF-8") from None
    if len(raw) > max_bytes:
        raise HttpError(400, f"Request body is larger than {max_bytes} bytes")
    try:
        data = json.loads(raw, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError):
        raise HttpError(400, "Request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise HttpError(400, "Request body must be a JSON object")
    return data


def _request_fields(event: Any, context: Any) -> dict[str, Any]:
    return {
        "route": event.get("routeKey") if isinstance(event, dict) else None,
        "api_request_id": _mapping(event, "requestContext").get("requestId"),
        "aws_request_id": getattr(context, "aws_request_id", None),
    }


def api_handler(logger: logging.Logger) -> Callable[[Handler], Handler]:
    """Wrap a handler: HttpError becomes its response, anything else a logged, generic 500."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def wrapper(event: Any, context: Any) -> dict[str, Any]:
            fields = _request_fields(event, context)
            try:
                response = handler(event, context)
            except HttpError as error:
                level = logging.ERROR if error.status_code >= 500 else logging.WARNING
                logger.log(
                    level,
                    "Request rejected",
                    extra={**fields, "status_code": error.status_code, "error": error.message},
                )
                return error.to_response()
            except Exception:
                # Internal details stay in the log; the client learns only that it failed.
                logger.exception("Unhandled error", extra={**fields, "status_code": 500})
                return error_response("Internal server error", 500)
            logger.info(
                "Request handled", extra={**fields, "status_code": response.get("statusCode")}
            )
            return response

        return wrapper

    return decorate
