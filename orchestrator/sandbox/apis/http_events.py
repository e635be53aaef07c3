"""The Lambda proxy event of payload format 2.0 that an HTTP API sends, and its answer read back.

AWS semantics ("Working with AWS Lambda proxy integrations for HTTP APIs",
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html):
header names lower-cased, repeated headers and query parameters joined with commas, the `Cookie`
header moved to `cookies`, empty members left out, a body that is not text base64-encoded; a
named stage stays in `rawPath`. The answer is the `statusCode`/`headers`/`cookies`/`body`/
`isBase64Encoded` object, or, when the function returns anything else (no `statusCode`), 200 with
that value as a JSON body.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.wsgi import get_input_stream

# content types API Gateway passes as text; every other body arrives base64-encoded
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")
_TEXT_SUFFIXES = ("+json", "+xml", "x-www-form-urlencoded")


@dataclass(frozen=True)
class RequestFacts:
    """What the served API decided about a request before invoking its integration."""

    api_id: str
    account_id: str
    stage: str
    route_key: str
    raw_path: str
    domain_name: str
    path_parameters: dict[str, str] = field(default_factory=dict)
    authorizer: dict[str, Any] | None = None
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class InvalidAnswer(Exception):
    """The function's answer is not one API Gateway can map to a response (500)."""


def read_body(environ: dict[str, Any]) -> bytes:
    return bytes(get_input_stream(environ).read())


def build_event(environ: dict[str, Any], facts: RequestFacts, body: bytes) -> dict[str, Any]:
    headers = request_headers(environ)
    cookie = headers.pop("cookie", None)
    query = environ.get("QUERY_STRING", "")
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": facts.route_key,
        "rawPath": facts.raw_path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": _request_context(environ, facts, headers),
        "isBase64Encoded": False,
    }
    if cookie:
        event["cookies"] = [c.strip() for c in cookie.split(";") if c.strip()]
    if query:
        event["queryStringParameters"] = _joined(parse_qsl(query, keep_blank_values=True))
    if facts.path_parameters:
        event["pathParameters"] = dict(facts.path_parameters)
    if body:
        text = _is_text(headers.get("content-type", ""))
        event["body"] = body.decode() if text else base64.b64encode(body).decode()
        event["isBase64Encoded"] = not text
    return event


def request_headers(environ: Mapping[str, Any]) -> dict[str, str]:
    """The request's headers, names lower-cased (the WSGI server joined repeated ones)."""
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = str(environ[key])
    return headers


def _joined(pairs: list[tuple[str, str]]) -> dict[str, str]:
    joined: dict[str, str] = {}
    for name, value in pairs:
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    return joined


def _is_text(content_type: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    if not kind:
        return True
    return kind.startswith(_TEXT_TYPES) or kind.endswith(_TEXT_SUFFIXES)


def _request_context(
    environ: Mapping[str, Any], facts: RequestFacts, headers: Mapping[str, str]
) -> dict[str, Any]:
    now = time.time()
    context: dict[str, Any] = {
        "accountId": facts.account_id,
        "apiId": facts.api_id,
        "domainName": facts.domain_name,
        "domainPrefix": facts.domain_name.split(".")[0],
        "http": {
            "method": str(environ.get("REQUEST_METHOD", "GET")),
            "path": facts.raw_path,
            "protocol": str(environ.get("SERVER_PROTOCOL", "HTTP/1.1")),
            "sourceIp": str(environ.get("REMOTE_ADDR", "127.0.0.1")),
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": facts.request_id,
        "routeKey": facts.route_key,
        "stage": facts.stage,
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    if facts.authorizer is not None:
        context["authorizer"] = facts.authorizer
    return context


def answer_of(result: object) -> HttpAnswer:
    """The HTTP answer API Gateway makes of the function's result."""
    if not isinstance(result, dict) or "statusCode" not in result:
        body = json.dumps(result).encode()
        return HttpAnswer(200, [("content-type", "application/json")], body)
    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError) as exc:
        raise InvalidAnswer(f"statusCode {result['statusCode']!r} is not a number") from exc
    if not 100 <= status <= 599:
        raise InvalidAnswer(f"statusCode {status} is not an HTTP status")
    headers = [(str(k), _header_value(v)) for k, v in (result.get("headers") or {}).items()]
    headers += [("set-cookie", str(c)) for c in result.get("cookies") or []]
    return HttpAnswer(status, headers, _body(result))


def _header_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _body(result: Mapping[str, Any]) -> bytes:
    body = result.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):  # API Gateway sends a non-string body as its JSON text
        return json.dumps(body).encode()
    if result.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except ValueError as exc:
            raise InvalidAnswer("isBase64Encoded body is not base64") from exc
    return body.encode()
