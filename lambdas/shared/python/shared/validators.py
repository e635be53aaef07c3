"""Input validation of the QR-upload flow (seed 004), shared by both of its functions.

Pure functions (no AWS; the clock only when no `now` is given), so they can be property-tested.
The validators and parsers are total: any input, however hostile, yields a verdict rather than
an exception. Only the key builder and the endpoint reader raise, on values that are a
programming or deployment error rather than a client's mistake.
"""

import math
import re
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from botocore.utils import is_valid_endpoint_url, is_valid_ipv6_endpoint_url

from shared.constants import SESSION_STATUS, UPLOAD_KEY_PREFIX, WS_API_ENDPOINT_ENV

SESSION_ID_REQUIRED = "sessionId is required"
INVALID_SESSION_ID = "Invalid sessionId format"
SESSION_NOT_FOUND = "Session not found"
SESSION_EXPIRED = "Session expired"
SESSION_COMPLETED = "Session already completed"

# Only the canonical lowercase form that str(uuid.uuid4()) produces: uuid.UUID() alone also
# accepts braces, "urn:uuid:", missing hyphens, "+" signs and underscores, none of which can
# name a stored session or be allowed to shape an S3 key.
_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_UUID_RE = re.compile(_UUID)
_MAX_TIMESTAMP_DIGITS = 20
# The timestamp as str(int) writes it, so that a key parses only if build_upload_key made it.
_TIMESTAMP = f"(?:0|[1-9][0-9]{{0,{_MAX_TIMESTAMP_DIGITS - 1}}})"
_UPLOAD_KEY_RE = re.compile(re.escape(UPLOAD_KEY_PREFIX) + f"({_UUID})/image-{_TIMESTAMP}")


class ConfigurationError(RuntimeError):
    """A setting is present but malformed (a missing one is shared.config's error)."""


def get_query_parameter(event: Any, name: str) -> Any:
    """A query string parameter of an API Gateway event, or None.

    API Gateway omits `queryStringParameters` (HTTP API) or sends null (WebSocket) when the
    request has no query string; a hand-made event may carry anything there.
    """
    params = event.get("queryStringParameters") if isinstance(event, Mapping) else None
    return params.get(name) if isinstance(params, Mapping) else None


def validate_session_id(session_id: Any) -> tuple[bool, str | None]:
    """Validate UUID format."""
    if not session_id:
        return False, SESSION_ID_REQUIRED
    if isinstance(session_id, str) and _UUID_RE.fullmatch(session_id):
        return True, None
    return False, INVALID_SESSION_ID


def _finite_number(value: Any) -> int | float | Decimal | None:
    # DynamoDB numbers arrive as Decimal; anything else (a corrupted item, NaN, infinity) must
    # not be compared with the clock, where it would raise or never expire.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    return None


def validate_session(session: Any, now: int | None = None) -> tuple[bool, str | None]:
    """Validate session state: it exists and has not expired."""
    if not session or not isinstance(session, Mapping):
        return False, SESSION_NOT_FOUND
    expires_at = _finite_number(session.get("expiresAt", 0))
    current = int(time.time()) if now is None else now
    # An unreadable expiry fails closed: the session is treated as expired.
    if expires_at is None or current > expires_at:
        return False, SESSION_EXPIRED
    return True, None


def is_session_completed(session: Mapping[str, Any]) -> bool:
    return session.get("status") == SESSION_STATUS["COMPLETED"]


def build_upload_key(session_id: str, timestamp: int) -> str:
    """`session-uploads/{sessionId}/image-{timestamp}`, the only shape the S3 handler accepts."""
    valid, error = validate_session_id(session_id)
    if not valid:
        raise ValueError(error)
    if isinstance(timestamp, bool) or not isinstance(timestamp, int):
        raise ValueError("timestamp must be an int")
    if not 0 <= timestamp < 10**_MAX_TIMESTAMP_DIGITS:
        raise ValueError("timestamp out of range")
    return f"{UPLOAD_KEY_PREFIX}{session_id}/image-{timestamp}"


def extract_session_id_from_key(key: Any) -> str | None:
    """The sessionId of a well-formed upload key (already URL-decoded), else None.

    The whole key must match, so path traversal ("..", extra segments), other prefixes and
    malformed ids are rejected rather than partially parsed.
    """
    if not isinstance(key, str):
        return None
    match = _UPLOAD_KEY_RE.fullmatch(key)
    return match.group(1) if match else None


_SCHEMES = {"https": "https", "http": "http", "wss": "https", "ws": "http"}
_EXECUTE_API_HOST = re.compile(r"[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com")


def management_endpoint_url(endpoint: str) -> str:
    """The Management API URL for WS_API_ENDPOINT.

    The seed's form is `{api-id}.execute-api.{region}.amazonaws.com/{stage}`; a full http(s)://
    URL is taken as is so that a local engine can stand in, and the wss:// URL a WebSocket stack
    publishes is accepted because it is the easiest value to paste by mistake.
    """
    value = endpoint.strip()
    scheme, separator, rest = value.partition("://")
    if not separator:
        scheme, rest = "https", value
    mapped = _SCHEMES.get(scheme.lower())
    url = f"{mapped}://{rest}".rstrip("/")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a malformed port)
    except ValueError:
        parts = None
    if (
        mapped is None
        or parts is None
        or parts.query
        or parts.fragment
        or not (is_valid_endpoint_url(url) or is_valid_ipv6_endpoint_url(url))
    ):
        raise ConfigurationError(
            f"{WS_API_ENDPOINT_ENV} must look like "
            f"{{api-id}}.execute-api.{{region}}.amazonaws.com/{{stage}}, got {endpoint!r}"
        )
    return url


def endpoint_region(url: str) -> str | None:
    """The region of an execute-api URL (requests must be signed for it), else None."""
    match = _EXECUTE_API_HOST.fullmatch(urlsplit(url).hostname or "")
    return match.group(1) if match else None
