"""func-api-registration-keys-post (seed 001): one-time registration keys with a 30-minute TTL."""

import json
import re
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from tests.lambdas.support import REGISTRATION_KEYS_TABLE

FUNCTION = "func-api-registration-keys-post"
SUB = "8c1e4f2a-6b3d-4e9f-a1c2-5d7e9f0b1a3c"
THIRTY_MINUTES = 30 * 60

Event = Callable[[str], dict[str, Any]]


@pytest.fixture
def app(load_function: Callable[..., ModuleType], registration_keys_table: Any) -> ModuleType:
    return load_function(FUNCTION)


def stored_keys(app: ModuleType) -> dict[str, dict[str, Any]]:
    items = app.dynamodb.scan(TableName=REGISTRATION_KEYS_TABLE)["Items"]
    return {item["registration_key"]["S"]: item for item in items}


def call(app: ModuleType, request_event: Any) -> tuple[int, dict[str, Any]]:
    response = app.lambda_handler(request_event, None)
    assert response["headers"]["Content-Type"] == "application/json"
    assert response["headers"]["Access-Control-Allow-Origin"] == "*"
    return response["statusCode"], json.loads(response["body"])


def test_creates_a_key_that_expires_in_thirty_minutes(
    app: ModuleType, event: Event, capsys: pytest.CaptureFixture[str]
) -> None:
    before = int(time.time())

    status, body = call(app, event("registration_keys_post"))

    assert status == 201
    key = body["registration_key"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", key)
    assert before + THIRTY_MINUTES <= body["expires_at"] <= int(time.time()) + THIRTY_MINUTES
    item = stored_keys(app)[key]
    assert item["expires_at"] == {"N": str(body["expires_at"])}
    assert item["created_by"] == {"S": SUB}
    assert item["created_at"] == {"S": body["created_at"]}
    assert key not in capsys.readouterr().out  # a bearer secret never reaches the logs


def test_every_key_is_new(app: ModuleType, event: Event) -> None:
    returned = {
        call(app, event("registration_keys_post"))[1]["registration_key"] for _ in range(20)
    }

    assert len(returned) == 20
    assert set(stored_keys(app)) == returned


def test_the_request_body_is_not_read(app: ModuleType, event: Event) -> None:
    for body in ("not json", "[" * 50_000, '{"registration_key": "mine"}', "\ud800"):
        request_event = event("registration_keys_post")
        request_event["body"] = body
        status, response_body = call(app, request_event)
        assert status == 201
        assert response_body["registration_key"] != "mine"


def test_missing_claims_are_401_and_create_nothing(app: ModuleType, event: Event) -> None:
    mutations: list[Callable[[dict[str, Any]], Any]] = [
        lambda e: e["requestContext"].pop("authorizer"),
        lambda e: e["requestContext"]["authorizer"]["jwt"].update(claims={}),
        lambda e: e["requestContext"]["authorizer"]["jwt"]["claims"].pop("sub"),
        lambda e: e.pop("requestContext"),
    ]
    for mutate in mutations:
        request_event = event("registration_keys_post")
        mutate(request_event)
        assert call(app, request_event) == (401, {"error": "Unauthorized"})
    assert app.lambda_handler(None, None)["statusCode"] == 401
    assert stored_keys(app) == {}


def test_a_colliding_key_never_replaces_a_live_one(
    app: ModuleType, event: Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = call(app, event("registration_keys_post"))[1]
    monkeypatch.setattr(app, "generate_registration_key", lambda: first["registration_key"])

    status, body = call(app, event("registration_keys_post"))

    assert (status, body) == (500, {"error": "Internal server error"})
    item = stored_keys(app)[first["registration_key"]]
    assert item["expires_at"] == {"N": str(first["expires_at"])}


def test_a_missing_table_variable_fails_the_cold_start_naming_it(
    load_function: Callable[..., ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REGISTRATION_KEYS_TABLE_NAME", raising=False)

    with pytest.raises(
        RuntimeError, match=r"^REGISTRATION_KEYS_TABLE_NAME environment variable is required$"
    ):
        load_function(FUNCTION)
