"""An HTTP API's CORS configuration applied as API Gateway applies it.

AWS semantics ("Configuring CORS for an HTTP API",
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html): with a
`CorsConfiguration`, API Gateway answers every preflight request (OPTIONS with `Origin` and
`Access-Control-Request-Method`) itself, whatever the routes and authorizers, and puts its own
CORS headers on the integration's answers, dropping those the integration sent; an origin the
configuration does not allow gets no CORS header at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orchestrator.sandbox import cors_patterns


def is_preflight(cors: Mapping[str, Any] | None, method: str, headers: Mapping[str, str]) -> bool:
    return (
        bool(cors)
        and method == "OPTIONS"
        and "origin" in headers
        and "access-control-request-method" in headers
    )


def preflight_headers(cors: Mapping[str, Any], headers: Mapping[str, str]) -> list[tuple[str, str]]:
    """The headers of the answer to a preflight request."""
    allowed = _allowed_origin(cors, headers.get("origin", ""))
    if allowed is None:
        return []
    answer = [("access-control-allow-origin", allowed)]
    methods = _joined(cors.get("allowMethods"))
    if methods:
        answer.append(("access-control-allow-methods", methods))
    allow_headers = _joined(cors.get("allowHeaders"))
    if allow_headers:
        answer.append(("access-control-allow-headers", allow_headers))
    if cors.get("maxAge") is not None:
        answer.append(("access-control-max-age", str(cors["maxAge"])))
    if _true(cors.get("allowCredentials")):
        answer.append(("access-control-allow-credentials", "true"))
    return answer


def response_headers(
    cors: Mapping[str, Any] | None, request: Mapping[str, str], answer: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The integration's answer headers with the API's CORS headers in place of its own."""
    if not cors:
        return answer
    kept = [(k, v) for k, v in answer if not k.lower().startswith("access-control-")]
    allowed = _allowed_origin(cors, request.get("origin", ""))
    if allowed is None:
        return kept
    kept.append(("access-control-allow-origin", allowed))
    exposed = _joined(cors.get("exposeHeaders"))
    if exposed:
        kept.append(("access-control-expose-headers", exposed))
    if _true(cors.get("allowCredentials")):
        kept.append(("access-control-allow-credentials", "true"))
    return kept


def _allowed_origin(cors: Mapping[str, Any], origin: str) -> str | None:
    origins = [str(o) for o in cors.get("allowOrigins") or []]
    if not origin:
        return None
    if "*" in origins:
        return "*"
    # `https://*`, `http://*`: the answer names the origin, as a browser needs it to
    return origin if cors_patterns.first_match(origins, origin) is not None else None


def _joined(values: object) -> str:
    if isinstance(values, str):
        return values
    if isinstance(values, list | tuple):
        return ",".join(str(v) for v in values)
    return ""


def _true(value: object) -> bool:
    return str(value).lower() == "true"
