"""Status webhooks: a template's webhook settings and their delivery with retries.

Templates index (the JSON file at TEMPLATES_INDEX_PATH): an object mapping a template id (the
assembly item's `template_id`) to that template's settings; other template fields are ignored:
    {"tpl_basic_audio": {"webhookUrl": "https://example.com/hooks/transflow",
                         "webhookSecret": "..."}}
`webhookUrl` absent or "" means the template has no webhook; `webhookSecret` absent or "" means
deliveries are unsigned. Only an absolute http(s) URL without whitespace or control characters is
posted to; any other URL fails with no attempt made.

Delivery: one POST of the assembly status JSON (exactly the bytes of the 200 response body) with
    Content-Type: application/json
    User-Agent: Transflow-Status/1.0
    X-Transflow-Signature: sha256=<hex>   (only with a secret)
where <hex> is the lowercase hex HMAC-SHA256 keyed with the secret's UTF-8 bytes over the exact
request body bytes; nothing else is signed. A receiver recomputes it over the raw body it read and
compares with hmac.compare_digest.
Retries, as the processing Lambda does them: up to 4 attempts (1 + 3 retries) with exponential
backoff 1 s, 2 s, 4 s; a network error, a timeout, a 5xx or a 429 is retried, any other status is
final (2xx delivered; 3xx, since redirects are not followed, and other 4xx failed). Each attempt
times out after 10 s, and no attempt or backoff starts past the caller's deadline, so a slow
receiver cannot run the Lambda into its timeout.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import http.client
import json
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit

USER_AGENT = "Transflow-Status/1.0"
SIGNATURE_HEADER = "X-Transflow-Signature"
DELIVERED = "delivered"
FAILED = "failed"
# A receiver's reply body is read only to free the connection; a hostile one may be endless.
_MAX_REPLY_BYTES = 64 * 1024
_UNSAFE_URL = re.compile(r"[\x00-\x20\x7f]")
# Loading the CA bundle costs milliseconds: once per container, and only if a webhook is https.
_tls_context = functools.cache(ssl.create_default_context)


class TemplateIndexError(Exception):
    """The templates index is missing, unreadable or malformed."""


@dataclass(frozen=True)
class Template:
    webhook_url: str
    webhook_secret: str


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay: float = 1.0
    attempt_timeout: float = 10.0
    # Starting an attempt with less time than this left cannot usefully reach a receiver.
    min_attempt_seconds: float = 1.0


DEFAULT_POLICY = RetryPolicy()


@dataclass(frozen=True)
class Delivery:
    outcome: str  # DELIVERED or FAILED
    attempts: int
    http_status: int | None = None


def load_index(path: str) -> dict[str, Any]:
    try:
        index = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise TemplateIndexError(f"cannot read templates index {path}: {err}") from err
    if not isinstance(index, dict):
        raise TemplateIndexError(f"templates index {path} is not a JSON object")
    return index


def find_template(index: dict[str, Any], template_id: str) -> Template | None:
    """The template's webhook settings, or None when the index does not know the template."""
    entry = index.get(template_id)
    if entry is None:
        return None
    if not isinstance(entry, dict):
        raise TemplateIndexError(f"template {template_id!r} is not a JSON object")
    url, secret = entry.get("webhookUrl") or "", entry.get("webhookSecret") or ""
    if not isinstance(url, str) or not isinstance(secret, str):
        raise TemplateIndexError(f"template {template_id!r} has a non-string webhook setting")
    return Template(webhook_url=url, webhook_secret=secret)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def is_retryable(status: int) -> bool:
    return status == 429 or 500 <= status <= 599


def valid_target(url: str) -> SplitResult | None:
    """The parsed URL when it is an absolute http(s) URL with a host; anything else is refused."""
    # urlsplit silently drops tabs and newlines, and http.client refuses control characters
    # only when sending: refuse them here, once, rather than retrying a URL that cannot work.
    if _UNSAFE_URL.search(url):
        return None
    try:
        target = urlsplit(url)
        _ = target.port  # raises ValueError on a malformed port
        (target.hostname or "").encode("idna")
    except (ValueError, UnicodeError):
        return None
    if target.scheme not in ("http", "https") or not target.hostname:
        return None
    return target


def deliver(
    url: str,
    body: bytes,
    secret: str,
    *,
    deadline: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    policy: RetryPolicy = DEFAULT_POLICY,
    on_attempt_failed: Callable[[int, str], None] = lambda attempt, reason: None,
) -> Delivery:
    """POST `body` to `url` with retries; never raises for anything the receiver does."""
    target = valid_target(url)
    if target is None:
        on_attempt_failed(0, "webhook URL is not an absolute http(s) URL")
        return Delivery(FAILED, attempts=0)
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    if secret:
        headers[SIGNATURE_HEADER] = signature(secret, body)
    attempts, status = 0, None
    for attempt in range(policy.max_attempts):
        remaining = deadline - clock()
        if remaining < policy.min_attempt_seconds:
            break
        attempts += 1
        status, failure = _attempt(target, body, headers, min(policy.attempt_timeout, remaining))
        if failure is None:
            return Delivery(DELIVERED, attempts, status)
        on_attempt_failed(attempts, failure)
        if status is not None and not is_retryable(status):
            break
        delay = policy.base_delay * 2**attempt
        last = attempt + 1 >= policy.max_attempts
        if last or clock() + delay + policy.min_attempt_seconds > deadline:
            break
        sleep(delay)
    return Delivery(FAILED, attempts, status)


def _attempt(
    target: SplitResult, body: bytes, headers: dict[str, str], timeout: float
) -> tuple[int | None, str | None]:
    """One POST: the receiver's status (None when it never answered) and, unless the status is
    a 2xx, why the attempt failed."""
    try:
        status = _post(target, body, headers, timeout)
    except (OSError, http.client.HTTPException) as err:
        return None, f"{type(err).__name__}: {err}"
    return status, None if 200 <= status <= 299 else f"HTTP {status}"


def _post(target: SplitResult, body: bytes, headers: dict[str, str], timeout: float) -> int:
    # http.client rather than urllib: exactly one request per attempt, no redirect following
    # (a redirected POST would lose its body) and no proxy or file: URL handling.
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(
            target.hostname or "", target.port, timeout=timeout, context=_tls_context()
        )
    else:
        connection = http.client.HTTPConnection(target.hostname or "", target.port, timeout=timeout)
    path = (target.path or "/") + (f"?{target.query}" if target.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(_MAX_REPLY_BYTES)
        return response.status
    finally:
        connection.close()
