"""S3's CORS, decided from the bucket's CORS configuration as S3 decides it.

moto reflects any origin on OPTIONS and on every answer, which the request guard strips; this
module computes what S3 answers instead, and the guard adds only that back, to S3 requests only.

AWS semantics ("Using cross-origin resource sharing (CORS)",
https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html, its section "How does Amazon S3
evaluate the CORS configuration on a bucket?", the OPTIONS object reference
https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html, and "Troubleshooting
CORS" https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors-troubleshooting.html): S3 uses
the first rule whose `AllowedOrigin` (one `*` wildcard allowed) matches `Origin`, whose
`AllowedMethod` holds the method (for a preflight, `Access-Control-Request-Method`) and, for a
preflight, whose `AllowedHeader` patterns cover every `Access-Control-Request-Headers` header.
A preflight no rule allows, or to a bucket without CORS configuration, is refused with 403
`AccessForbidden` ("CORSResponse: ..."); one without `Origin` with 400 `BadRequest`. An actual
request from an origin no rule allows is served as usual, without CORS headers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from moto.s3.models import s3_backends
from moto.s3.responses import S3Response

from orchestrator.sandbox import cors_patterns
from orchestrator.sandbox.aws_errors import Answer, AwsError, rest_xml_error

# S3's answer to a request allowed by a rule: caches must keep answers per origin and preflight
VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
NO_ORIGIN = "Insufficient information. Origin request header needed."
NO_BUCKET = "CORSResponse: Bucket not found"
NOT_ENABLED = "CORSResponse: CORS is not enabled for this bucket."
NOT_ALLOWED = (
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution of "
    "Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers "
    "are not whitelisted by the resource's CORS spec."  # sic: S3's own spelling
)


@dataclass(frozen=True)
class CorsRule:
    """One `CORSRule` of a bucket's CORS configuration."""

    allowed_origins: tuple[str, ...]
    allowed_methods: tuple[str, ...]
    allowed_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age_seconds: str | None = None


@dataclass(frozen=True)
class S3Target:
    """The bucket and key (empty for the bucket itself) a request names."""

    bucket: str
    key: str


def s3_target(environ: Mapping[str, Any]) -> S3Target | None:
    """The bucket a request to S3 names, path-style or virtual-host style, as moto reads it."""
    host = str(environ.get("HTTP_HOST", ""))
    path = str(environ.get("PATH_INFO", ""))
    request = SimpleNamespace(headers={"host": host}, url=f"http://{host}{path}")
    if S3Response.subdomain_based_buckets(request):
        bucket, key = host.split(".", 1)[0], path.lstrip("/")
    else:
        bucket, _, key = path.lstrip("/").partition("/")
    return S3Target(bucket, key) if bucket else None


def bucket_rules(bucket: str) -> tuple[CorsRule, ...] | None:
    """The bucket's CORS rules (empty: no configuration); None when there is no such bucket."""
    located = s3_backends.bucket_accounts.get(bucket)
    if located is None:
        return None
    partition, account_id = located
    stored = s3_backends[account_id][partition].buckets.get(bucket)
    if stored is None:
        return None
    return tuple(_rule(rule) for rule in stored.cors)


def _rule(stored: Any) -> CorsRule:
    def listed(value: str | list[Any] | None) -> tuple[str, ...]:
        # moto keeps a single XML element as a string, several as a list
        return (value,) if isinstance(value, str) else tuple(str(v) for v in value or ())

    max_age = stored.max_age_seconds
    return CorsRule(
        allowed_origins=listed(stored.allowed_origins),
        allowed_methods=listed(stored.allowed_methods),
        allowed_headers=listed(stored.allowed_headers),
        expose_headers=listed(stored.exposed_headers),
        max_age_seconds=None if max_age is None else str(max_age),
    )


def preflight(
    target: S3Target, rules: tuple[CorsRule, ...] | None, environ: Mapping[str, Any]
) -> Answer:
    """S3's answer to the `OPTIONS` request `environ` on `target`."""
    origin = environ.get("HTTP_ORIGIN")
    if not origin:
        return rest_xml_error(AwsError(400, "BadRequest", NO_ORIGIN), False)
    method = str(environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD", ""))
    requested = _header_list(str(environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")))
    found = _first_rule(rules or (), origin, method, requested)
    if found is None:
        message = NO_BUCKET if rules is None else NOT_ENABLED if not rules else NOT_ALLOWED
        fields = {
            "Method": method or "OPTIONS",
            "ResourceType": "OBJECT" if target.key else "BUCKET",
        }
        return rest_xml_error(AwsError(403, "AccessForbidden", message, fields), False)
    allowed = _allowed_headers(*found, origin, preflight_headers=requested)
    return Answer("200 OK", [*allowed, ("Content-Length", "0")], b"")


def response_headers(
    rules: Sequence[CorsRule] | None, method: str, origin: str | None
) -> list[tuple[str, str]]:
    """The CORS headers S3 puts on its answer to an actual (not preflight) request."""
    if not origin:
        return []
    found = _first_rule(rules or (), origin, method, ())
    return [] if found is None else _allowed_headers(*found, origin, preflight_headers=None)


def _first_rule(
    rules: Sequence[CorsRule], origin: str, method: str, requested: Sequence[str]
) -> tuple[CorsRule, str] | None:
    """The first rule that allows the request, and its origin pattern that matched."""
    for rule in rules:
        pattern = cors_patterns.first_match(rule.allowed_origins, origin)
        if (
            pattern is not None
            and method in rule.allowed_methods
            and all(
                cors_patterns.first_match(rule.allowed_headers, name, ignore_case=True) is not None
                for name in requested
            )
        ):
            return rule, pattern
    return None


def _allowed_headers(
    rule: CorsRule, pattern: str, origin: str, preflight_headers: Sequence[str] | None
) -> list[tuple[str, str]]:
    """The headers of an allowed request; a preflight's also name the headers it asked for."""
    any_origin = pattern == "*"  # any origin, and so no credentials
    answer = [
        ("Access-Control-Allow-Origin", "*" if any_origin else origin),
        ("Access-Control-Allow-Methods", ", ".join(rule.allowed_methods)),
    ]
    if preflight_headers:
        answer.append(("Access-Control-Allow-Headers", ", ".join(preflight_headers)))
    if rule.expose_headers:
        answer.append(("Access-Control-Expose-Headers", ", ".join(rule.expose_headers)))
    if rule.max_age_seconds is not None:
        answer.append(("Access-Control-Max-Age", rule.max_age_seconds))
    if not any_origin:
        answer.append(("Access-Control-Allow-Credentials", "true"))
    answer.append(("Vary", VARY))
    return answer


def _header_list(value: str) -> tuple[str, ...]:
    return tuple(name.strip().lower() for name in value.split(",") if name.strip())
