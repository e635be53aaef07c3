"""triggerWebhook: the template's webhookUrl gets the status, HMAC-signed with webhookSecret,
with retries and exponential backoff bounded by the Lambda deadline."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.lambdas.status.helpers import (
    ASSEMBLY,
    ASSEMBLY_JSON,
    SECRET,
    WEBHOOK,
    Clock,
    Context,
    Receiver,
    body,
    hooked,
    invoke,
    put_assembly,
    webhook_headers,
    write_index,
)
from tests.lambdas.support import log_lines


def test_the_webhook_posts_the_status_signed_with_the_template_secret(
    app: ModuleType, receiver: Receiver, index_path: Path, event: Callable[[str], dict[str, Any]]
) -> None:
    write_index(index_path, hooked(receiver))

    response = invoke(app, event("status_webhook"))

    assert response["statusCode"] == 200
    assert body(response) == ASSEMBLY_JSON
    assert webhook_headers(response) == {
        "X-Webhook-Status": "delivered",
        "X-Webhook-Attempts": "1",
        "X-Webhook-Http-Status": "200",
    }
    (request,) = receiver.received
    assert request.path == "/hooks/transflow?t=1"
    assert request.body == response["body"].encode()
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "Transflow-Status/1.0"
    expected = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Transflow-Signature"] == f"sha256={expected}"

    # The index is read once per container: a later change is not seen by this one.
    write_index(index_path, hooked(receiver, secret=""))
    assert webhook_headers(invoke(app, WEBHOOK))["X-Webhook-Status"] == "delivered"
    assert "X-Transflow-Signature" in receiver.received[-1].headers

    # Without a secret, deliveries are unsigned.
    app._templates_index.cache_clear()
    assert webhook_headers(invoke(app, WEBHOOK))["X-Webhook-Status"] == "delivered"
    assert "X-Transflow-Signature" not in receiver.received[-1].headers


def test_transient_failures_are_retried_with_exponential_backoff(
    app: ModuleType, receiver: Receiver, index_path: Path, clock: Clock
) -> None:
    write_index(index_path, hooked(receiver))
    for transient in (500, 502, 503, 429):
        receiver.script = [transient, transient]
        receiver.received.clear()
        clock.sleeps.clear()

        response = invoke(app, WEBHOOK)

        assert response["statusCode"] == 200, transient
        assert webhook_headers(response) == {
            "X-Webhook-Status": "delivered",
            "X-Webhook-Attempts": "3",
            "X-Webhook-Http-Status": "200",
        }, transient
        assert clock.sleeps == [1.0, 2.0], transient
        assert len(receiver.received) == 3, transient
        # Every attempt carries the same bytes and the same signature.
        signed = {(r.body, r.headers["X-Transflow-Signature"]) for r in receiver.received}
        assert len(signed) == 1, transient

    # A refused connection is retried like a 5xx.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    write_index(index_path, {"tpl_basic_audio": {"webhookUrl": f"http://127.0.0.1:{port}/"}})
    app._templates_index.cache_clear()
    clock.sleeps.clear()

    response = invoke(app, WEBHOOK)

    assert response["statusCode"] == 200
    assert webhook_headers(response) == {"X-Webhook-Status": "failed", "X-Webhook-Attempts": "4"}
    assert clock.sleeps == [1.0, 2.0, 4.0]


def test_retries_stop_after_four_attempts(
    app: ModuleType, receiver: Receiver, index_path: Path, clock: Clock, capsys: Any
) -> None:
    write_index(index_path, hooked(receiver))
    receiver.script = [500] * 10

    response = invoke(app, WEBHOOK)

    assert (response["statusCode"], body(response)) == (200, ASSEMBLY_JSON)
    assert webhook_headers(response) == {
        "X-Webhook-Status": "failed",
        "X-Webhook-Attempts": "4",
        "X-Webhook-Http-Status": "500",
    }
    assert clock.sleeps == [1.0, 2.0, 4.0]
    assert len(receiver.received) == 4
    lines = log_lines(capsys)
    attempts = [line["attempt"] for line in lines if line["message"] == "Webhook attempt failed"]
    assert attempts == [1, 2, 3, 4]
    failure = next(line for line in lines if line["message"] == "Failed to send status webhook")
    assert failure["level"] == "ERROR"
    assert failure["webhook_host"] == "127.0.0.1"
    # The URL's path and query (which may hold a token) and the secret stay out of the log.
    assert "hooks/transflow" not in json.dumps(lines)
    assert SECRET not in json.dumps(lines)


def test_client_errors_and_redirects_are_not_retried(
    app: ModuleType, receiver: Receiver, index_path: Path, clock: Clock
) -> None:
    write_index(index_path, hooked(receiver))
    for status in (400, 401, 404, 410, 302, 307):
        receiver.script = [status]
        receiver.received.clear()

        response = invoke(app, WEBHOOK)

        assert (response["statusCode"], body(response)) == (200, ASSEMBLY_JSON), status
        assert webhook_headers(response) == {
            "X-Webhook-Status": "failed",
            "X-Webhook-Attempts": "1",
            "X-Webhook-Http-Status": str(status),
        }
        assert [r.path for r in receiver.received] == ["/hooks/transflow?t=1"], status
    assert clock.sleeps == []


def test_slow_receivers_and_the_lambda_deadline_bound_the_webhook(
    app: ModuleType,
    receiver: Receiver,
    index_path: Path,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_index(index_path, hooked(receiver))
    # Long enough that even a busy machine answers a retry in time; the first attempt is never
    # answered in time, however fast or slow the machine: its reply waits for the retry.
    monkeypatch.setattr(app, "RETRY_POLICY", replace(app.RETRY_POLICY, attempt_timeout=2.0))
    receiver.held = 1

    slow = invoke(app, WEBHOOK)

    # The attempt that timed out is retried. (At least 2: on a wedged machine the retry itself
    # may miss its 2 s, and the next one then delivers.)
    headers = webhook_headers(slow)
    assert (headers["X-Webhook-Status"], headers["X-Webhook-Http-Status"]) == ("delivered", "200")
    assert int(headers["X-Webhook-Attempts"]) >= 2
    assert receiver.received[0].body == receiver.received[-1].body

    # 4 s left, 1 s kept for the response: attempt, 1 s backoff, attempt, and a 2 s backoff
    # would leave less than the 1 s an attempt needs.
    receiver.script = [503] * 10
    clock.sleeps.clear()
    short = invoke(app, WEBHOOK, Context(remaining_ms=4000))

    assert webhook_headers(short)["X-Webhook-Attempts"] == "2"
    assert clock.sleeps == [1.0]
    almost_out = invoke(app, WEBHOOK, Context(remaining_ms=1500))
    assert webhook_headers(almost_out) == {"X-Webhook-Status": "failed", "X-Webhook-Attempts": "0"}


def test_nothing_is_sent_unless_asked_and_the_lookup_succeeds(
    app: ModuleType, receiver: Receiver, index_path: Path
) -> None:
    write_index(index_path, hooked(receiver))
    not_asked = invoke(app, {**WEBHOOK, "triggerWebhook": False})
    forbidden = invoke(app, {**WEBHOOK, "userId": "user_789"})
    missing = invoke(app, {**WEBHOOK, "assemblyId": "f" * 64})
    statuses = [r["statusCode"] for r in (not_asked, forbidden, missing)]
    assert statuses == [200, 403, 404]
    assert all(webhook_headers(r) == {} for r in (not_asked, forbidden, missing))
    assert receiver.received == []


def test_nothing_is_sent_without_a_configured_template(
    app: ModuleType, dynamodb: Any, receiver: Receiver, index_path: Path
) -> None:
    put_assembly(dynamodb, {**ASSEMBLY, "assembly_id": "no-template", "template_id": None})
    no_template = {**WEBHOOK, "assemblyId": "no-template"}
    cases: list[tuple[Any, dict[str, Any], str]] = [
        ({"tpl_basic_audio": {"id": "tpl_basic_audio"}}, WEBHOOK, "not_configured"),
        ({"tpl_basic_audio": {"webhookUrl": ""}}, WEBHOOK, "not_configured"),
        ({"tpl_basic_audio": {"webhookUrl": None}}, WEBHOOK, "not_configured"),
        (hooked(receiver), no_template, "not_configured"),
        ({"tpl_other": {"webhookUrl": receiver.url}}, WEBHOOK, "template_not_found"),
        ({}, WEBHOOK, "template_not_found"),
        ([hooked(receiver)], WEBHOOK, "index_error"),
        ({"tpl_basic_audio": "https://example.com"}, WEBHOOK, "index_error"),
        ({"tpl_basic_audio": {"webhookUrl": 5}}, WEBHOOK, "index_error"),
        (
            {"tpl_basic_audio": {"webhookUrl": receiver.url, "webhookSecret": 7}},
            WEBHOOK,
            "index_error",
        ),
        ("not json", WEBHOOK, "index_error"),
        (None, WEBHOOK, "index_error"),
    ]
    for index, request, outcome in cases:
        if index is None:
            index_path.unlink(missing_ok=True)
        elif index == "not json":
            index_path.write_text("{not json")
        else:
            write_index(index_path, index)
        app._templates_index.cache_clear()

        response = invoke(app, request)

        assert response["statusCode"] == 200, index
        assert body(response)["assembly_id"] == request["assemblyId"]
        assert webhook_headers(response) == {"X-Webhook-Status": outcome}, index
    assert receiver.received == []


def test_only_absolute_http_urls_are_posted_to(
    app: ModuleType, receiver: Receiver, index_path: Path
) -> None:
    # No file:, no relative paths, no bad ports, no header injection.
    for url in (
        "file:///etc/passwd",
        "ftp://127.0.0.1/x",
        "gopher://127.0.0.1:70/",
        "http://",
        "/hooks/relative",
        "not a url",
        "http://127.0.0.1:99999/",
        "http://" + "a" * 64 + ".example/",
        "http://127.0.0.1/hooks transflow",
        "http://127.0.0.1/\r\nX-Injected: 1",
    ):
        write_index(index_path, {"tpl_basic_audio": {"webhookUrl": url}})
        app._templates_index.cache_clear()

        response = invoke(app, WEBHOOK)

        assert response["statusCode"] == 200, url
        assert webhook_headers(response) == {
            "X-Webhook-Status": "failed",
            "X-Webhook-Attempts": "0",
        }, url
    assert receiver.received == []


def test_an_unexpected_webhook_error_never_turns_the_status_into_a_500(
    app: ModuleType, receiver: Receiver, index_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_index(index_path, hooked(receiver))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("bug in delivery")

    monkeypatch.setattr(app.webhook, "deliver", broken)

    response = invoke(app, WEBHOOK)

    assert (response["statusCode"], body(response)) == (200, ASSEMBLY_JSON)
    assert webhook_headers(response) == {"X-Webhook-Status": "failed"}
