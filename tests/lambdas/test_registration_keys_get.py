"""func-api-registration-keys-get (seed 001): paginated scan of the keys that have not expired."""

import base64
import json
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from tests.lambdas.support import REGISTRATION_KEYS_TABLE, Hook

FUNCTION = "func-api-registration-keys-get"

Event = Callable[[str], dict[str, Any]]


@pytest.fixture
def app(load_function: Callable[..., ModuleType], registration_keys_table: Any) -> ModuleType:
    return load_function(FUNCTION)


def make_key(index: int, prefix: str = "L") -> str:
    return f"{prefix}{index:042d}"


def put_key(app: ModuleType, key: str, expires_at: int) -> None:
    app.dynamodb.put_item(
        TableName=REGISTRATION_KEYS_TABLE,
        Item={
            "registration_key": {"S": key},
            "expires_at": {"N": str(expires_at)},
            "created_at": {"S": "2024-06-10T06:13:20+00:00"},
            "created_by": {"S": "admin"},
        },
    )


def list_keys(app: ModuleType, event: Event, **query: str) -> tuple[int, dict[str, Any]]:
    request_event = event("registration_keys_get")
    request_event["queryStringParameters"] = query or None
    response = app.lambda_handler(request_event, None)
    assert response["headers"]["Access-Control-Allow-Origin"] == "*"
    return response["statusCode"], json.loads(response["body"])


def test_sample_event_lists_live_keys_and_hides_expired_ones(app: ModuleType, event: Event) -> None:
    now = int(time.time())
    put_key(app, make_key(1), now + 1800)
    put_key(app, make_key(2), now + 5)
    put_key(app, make_key(1, "X"), now - 1)  # expired, TTL has not deleted it yet
    put_key(app, make_key(2, "X"), now - 86_400)

    response = app.lambda_handler(event("registration_keys_get"), None)

    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert body["count"] == 2
    assert body["next_token"] is None
    by_key = {item["registration_key"]: item for item in body["registration_keys"]}
    assert set(by_key) == {make_key(1), make_key(2)}
    assert by_key[make_key(1)] == {
        "registration_key": make_key(1),
        "expires_at": now + 1800,
        "created_at": "2024-06-10T06:13:20+00:00",
        "created_by": "admin",
    }


def test_an_empty_table_is_an_empty_page(app: ModuleType, event: Event) -> None:
    assert list_keys(app, event) == (
        200,
        {"registration_keys": [], "count": 0, "next_token": None},
    )


def test_pages_cover_every_live_key_once(app: ModuleType, event: Event) -> None:
    now = int(time.time())
    # Live (L) and expired (X) keys interleaved, so that a scan call returning fewer keys than
    # it read is followed by one that could overfill the page.
    pattern = "LXXLLLXXLLXLLL"
    live = {make_key(i) for i, kind in enumerate(pattern) if kind == "L"}
    for i, kind in enumerate(pattern):
        put_key(app, make_key(i), now + 600 if kind == "L" else now - 60)

    seen: list[str] = []
    token: str | None = None
    for _ in range(20):
        query = {"limit": "3"} | ({"next_token": token} if token else {})
        status, body = list_keys(app, event, **query)
        assert status == 200
        assert len(body["registration_keys"]) <= 3
        seen += [item["registration_key"] for item in body["registration_keys"]]
        token = body["next_token"]
        if token is None:
            break
        assert not any(key in token for key in live)  # opaque, not the key in clear
    assert token is None
    assert sorted(seen) == sorted(live)


def test_the_default_page_is_25_keys(app: ModuleType, event: Event) -> None:
    now = int(time.time())
    for i in range(30):
        put_key(app, make_key(i), now + 600)

    status, body = list_keys(app, event)
    assert (status, body["count"]) == (200, 25)
    assert body["next_token"]

    status, body = list_keys(app, event, limit="100")
    assert (status, body["count"], body["next_token"]) == (200, 30, None)


def test_scanning_past_many_expired_keys_is_bounded(
    app: ModuleType, event: Event, hook: Hook
) -> None:
    now = int(time.time())
    for i in range(30):
        put_key(app, make_key(i, "X"), now - 60)
    put_key(app, make_key(0), now + 600)
    calls: list[str] = []

    def count(**_: Any) -> None:
        calls.append("scan")

    hook(app.dynamodb, "before-call.dynamodb.Scan", count)
    seen: list[str] = []
    status, body = list_keys(app, event, limit="1")
    assert status == 200
    assert len(calls) <= app.MAX_SCAN_CALLS
    seen += [item["registration_key"] for item in body["registration_keys"]]
    while body["next_token"]:
        status, body = list_keys(app, event, limit="1", next_token=body["next_token"])
        seen += [item["registration_key"] for item in body["registration_keys"]]
    assert seen == [make_key(0)]


def test_bad_limits_are_400(app: ModuleType, event: Event) -> None:
    for limit in ("0", "101", "-1", "1.5", "1e2", "abc", "", " 5", "1,2", "٣", "9" * 10_000):
        status, body = list_keys(app, event, limit=limit)
        assert status == 400, limit
        assert body == {"error": "'limit' must be an integer between 1 and 100"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_forged_or_broken_next_tokens_are_400(app: ModuleType, event: Event) -> None:
    put_key(app, make_key(1), int(time.time()) + 600)
    tokens = [
        "",
        "not-a-token!",
        "%00",
        "../../etc/passwd",
        _b64(b"not json"),
        _b64(b'["a"]'),
        _b64(json.dumps({"registration_key": {"S": make_key(1)}}).encode()),
        _b64(json.dumps({"registration_key": make_key(1), "created_by": "x"}).encode()),
        _b64(json.dumps({"device_id": make_key(1)}).encode()),
        _b64(json.dumps({"registration_key": "short"}).encode()),
        _b64(json.dumps({"registration_key": "A" * 42 + "/"}).encode()),
        "A" * 100_000,
    ]
    for token in tokens:
        status, body = list_keys(app, event, next_token=token)
        assert (status, body) == (400, {"error": "Invalid 'next_token'"}), token[:40]


def test_missing_claims_are_401(app: ModuleType, event: Event) -> None:
    put_key(app, make_key(1), int(time.time()) + 600)
    for path in (("authorizer",), ("authorizer", "jwt"), ("authorizer", "jwt", "claims")):
        request_event = event("registration_keys_get")
        parent = request_event["requestContext"]
        for step in path[:-1]:
            parent = parent[step]
        del parent[path[-1]]
        response = app.lambda_handler(request_event, None)
        assert response["statusCode"] == 401
        assert make_key(1) not in response["body"]


def test_a_missing_table_variable_fails_the_cold_start_naming_it(
    load_function: Callable[..., ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REGISTRATION_KEYS_TABLE_NAME", raising=False)

    with pytest.raises(
        RuntimeError, match=r"^REGISTRATION_KEYS_TABLE_NAME environment variable is required$"
    ):
        load_function(FUNCTION)
