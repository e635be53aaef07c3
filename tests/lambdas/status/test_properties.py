"""The Status Lambda's pure parts, property-tested: event parsing, signatures, retry rules, URLs."""

from __future__ import annotations

import hashlib
import hmac
import re
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.lambdas.support import JSON_VALUES, PROPERTY, import_pure

assembly_ids = st.from_regex(r"[A-Za-z0-9._:-]{1,128}", fullmatch=True)


@pytest.fixture(scope="module")
def model() -> ModuleType:
    return import_pure("model", folder="status")


@pytest.fixture(scope="module")
def webhook() -> ModuleType:
    return import_pure("webhook", folder="status")


def test_any_event_is_a_request_or_a_bad_request(model: ModuleType) -> None:
    events = JSON_VALUES | st.dictionaries(
        st.sampled_from(["assemblyId", "userId", "triggerWebhook", "other"]), JSON_VALUES
    )

    @PROPERTY
    @given(event=events)
    def check(event: Any) -> None:
        try:
            request = model.parse_event(event)
        except model.BadRequest as err:
            assert str(err)
            return
        assert isinstance(request.assembly_id, str)
        assert re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", request.assembly_id)
        assert request.user_id is None or (isinstance(request.user_id, str) and request.user_id)
        assert request.trigger_webhook is (event.get("triggerWebhook") is True)

    check()


def test_well_formed_events_are_accepted_as_sent(model: ModuleType) -> None:
    user_ids = st.none() | st.text(min_size=1, max_size=256).filter(
        lambda value: not re.search(r"[\x00-\x1f\x7f-\x9f]", value)
    )

    @PROPERTY
    @given(assembly_id=assembly_ids, user_id=user_ids, trigger=st.none() | st.booleans())
    def check(assembly_id: str, user_id: str | None, trigger: bool | None) -> None:
        request = model.parse_event(
            {"assemblyId": assembly_id, "userId": user_id, "triggerWebhook": trigger}
        )
        assert request == model.Request(assembly_id, user_id, trigger is True)

    check()


def test_the_signature_is_hmac_sha256_over_the_exact_body(webhook: ModuleType) -> None:
    @PROPERTY
    @given(
        secret=st.text(min_size=1, max_size=40),
        body=st.binary(max_size=200),
        flip=st.integers(0, 199),
    )
    def check(secret: str, body: bytes, flip: int) -> None:
        signature = webhook.signature(secret, body)
        expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
        assert signature == f"sha256={expected}"
        if body:
            index = flip % len(body)
            tampered = body[:index] + bytes([body[index] ^ 1]) + body[index + 1 :]
            assert webhook.signature(secret, tampered) != signature

    check()


def test_only_throttling_and_server_errors_are_retried(webhook: ModuleType) -> None:
    @PROPERTY
    @given(status=st.integers(100, 599))
    def check(status: int) -> None:
        assert webhook.is_retryable(status) == (status == 429 or status >= 500)

    check()
    assert all(webhook.is_retryable(status) for status in (429, 500, 503, 599))
    assert not any(webhook.is_retryable(status) for status in (200, 302, 400, 404, 428, 430, 499))


def test_only_absolute_http_urls_are_targets(webhook: ModuleType) -> None:
    @PROPERTY
    @given(
        url=st.text(max_size=60) | st.builds(lambda rest: "http://" + rest, st.text(max_size=40))
    )
    def check(url: str) -> None:
        target = webhook.valid_target(url)
        if target is not None:
            assert target.scheme in ("http", "https")
            assert target.hostname
            assert not re.search(r"[\x00-\x20\x7f]", url)

    check()
    assert webhook.valid_target("https://hooks.example.com:8443/x?y=1").port == 8443
    for refused in ("file:///etc/passwd", "javascript:alert(1)", "http:///x", "//host/x"):
        assert webhook.valid_target(refused) is None


def test_template_lookup_accepts_only_string_settings(webhook: ModuleType) -> None:
    @PROPERTY
    @given(entry=JSON_VALUES)
    def check(entry: Any) -> None:
        try:
            template = webhook.find_template({"tpl": entry}, "tpl")
        except webhook.TemplateIndexError:
            return
        assert template is None or isinstance(template.webhook_url, str)

    check()
    assert webhook.find_template({}, "tpl") is None
    found = webhook.find_template({"tpl": {"webhookUrl": "https://h/x", "steps": []}}, "tpl")
    assert found == webhook.Template(webhook_url="https://h/x", webhook_secret="")
