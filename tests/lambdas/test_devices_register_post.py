"""func-api-devices-register-post (seed 001): a registration key registers exactly one device."""

import json
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.lambdas.support import PROPERTY, REGISTRATION_KEYS_TABLE, Hook, create_table, log_lines

FUNCTION = "func-api-devices-register-post"
DEVICES_TABLE = "firefly-devices"
SUB = "8c1e4f2a-6b3d-4e9f-a1c2-5d7e9f0b1a3c"
KEY = "k" * 43
DEVICE = "ff-dev-00:1a:2b:3c:4d:5e"

Event = Callable[[str], dict[str, Any]]
Load = Callable[..., ModuleType]


@pytest.fixture
def environment(
    registration_keys_table: Any, monkeypatch: pytest.MonkeyPatch
) -> pytest.MonkeyPatch:
    """Both tables, named in the function's variables."""
    monkeypatch.setenv("DEVICES_TABLE_NAME", DEVICES_TABLE)
    create_table(DEVICES_TABLE, "device_id")
    return monkeypatch


@pytest.fixture
def app(load_function: Load, environment: pytest.MonkeyPatch) -> ModuleType:
    return load_function(FUNCTION)


def put_key(dynamodb: Any, key: str = KEY, expires_in: int = 1800) -> None:
    dynamodb.put_item(
        TableName=REGISTRATION_KEYS_TABLE,
        Item={
            "registration_key": {"S": key},
            "expires_at": {"N": str(int(time.time()) + expires_in)},
        },
    )


def key_exists(dynamodb: Any, key: str = KEY) -> bool:
    return "Item" in dynamodb.get_item(
        TableName=REGISTRATION_KEYS_TABLE, Key={"registration_key": {"S": key}}
    )


def device(dynamodb: Any, device_id: str = DEVICE) -> dict[str, Any] | None:
    response = dynamodb.get_item(TableName=DEVICES_TABLE, Key={"device_id": {"S": device_id}})
    return response.get("Item")


def register(
    app: ModuleType, event: Event, key: Any = KEY, device_id: Any = DEVICE, body: Any = None
) -> tuple[int, dict[str, Any]]:
    request_event = event("devices_register_post")
    request_event["body"] = (
        json.dumps({"registration_key": key, "device_id": device_id}) if body is None else body
    )
    response = app.lambda_handler(request_event, None)
    assert response["headers"]["Access-Control-Allow-Origin"] == "*"
    return response["statusCode"], json.loads(response["body"])


def test_a_key_registers_the_device_and_is_consumed(
    app: ModuleType, event: Event, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = event("devices_register_post")
    sent = json.loads(sample["body"])
    put_key(app.dynamodb, sent["registration_key"])

    response = app.lambda_handler(sample, None)

    assert response["statusCode"] == 201
    body = json.loads(response["body"])
    assert body["device_id"] == sent["device_id"]
    item = device(app.dynamodb, sent["device_id"])
    assert item is not None
    assert item["registered_by"] == {"S": SUB}
    assert item["registered_at"] == {"S": body["registered_at"]}
    assert not key_exists(app.dynamodb, sent["registration_key"])
    registered, handled = log_lines(capsys)
    assert (registered["message"], registered["device_id"]) == ("Device registered", DEVICE)
    assert (handled["message"], handled["status_code"]) == ("Request handled", 201)
    assert sent["registration_key"] not in json.dumps([registered, handled])  # a bearer secret


def test_a_used_key_is_rejected_the_second_time(app: ModuleType, event: Event) -> None:
    put_key(app.dynamodb)
    assert register(app, event)[0] == 201

    status, body = register(app, event, device_id="second-device")

    assert (status, body) == (
        403,
        {"error": "Registration key is invalid or has already been used"},
    )
    assert device(app.dynamodb, "second-device") is None
    assert device(app.dynamodb) is not None


def test_an_unknown_key_is_rejected(app: ModuleType, event: Event) -> None:
    put_key(app.dynamodb, "o" * 43)

    assert register(app, event)[0] == 403
    assert device(app.dynamodb) is None
    assert key_exists(app.dynamodb, "o" * 43)


def test_an_expired_key_is_rejected_even_before_ttl_deletes_it(
    app: ModuleType, event: Event
) -> None:
    put_key(app.dynamodb, expires_in=-1)

    status, body = register(app, event)

    assert (status, body) == (410, {"error": "Registration key has expired"})
    assert device(app.dynamodb) is None


def test_an_already_registered_device_is_409_and_keeps_the_key(
    app: ModuleType, event: Event
) -> None:
    put_key(app.dynamodb, "a" * 43)
    assert register(app, event, key="a" * 43)[0] == 201
    put_key(app.dynamodb)

    status, body = register(app, event)

    assert (status, body) == (409, {"error": "Device is already registered", "device_id": DEVICE})
    assert key_exists(app.dynamodb)  # all or nothing: the key survives for another device
    assert register(app, event, device_id="other-device")[0] == 201
    assert not key_exists(app.dynamodb)


def test_a_key_consumed_by_a_concurrent_request_is_rejected(
    app: ModuleType, event: Event, hook: Hook
) -> None:
    put_key(app.dynamodb)

    def other_request_consumes_the_key(**_: Any) -> None:
        app.dynamodb.delete_item(
            TableName=REGISTRATION_KEYS_TABLE, Key={"registration_key": {"S": KEY}}
        )

    hook(app.dynamodb, "before-call.dynamodb.TransactWriteItems", other_request_consumes_the_key)

    assert register(app, event)[0] == 403
    assert device(app.dynamodb) is None


MALFORMED = [
    None,
    "",
    "not json",
    "[]",
    "null",
    '"' + KEY + '"',
    "{}",
    json.dumps({"registration_key": KEY}),
    json.dumps({"device_id": DEVICE}),
    json.dumps({"registration_key": None, "device_id": DEVICE}),
    json.dumps({"registration_key": 42, "device_id": DEVICE}),
    json.dumps({"registration_key": [KEY], "device_id": DEVICE}),
    json.dumps({"registration_key": {"S": KEY}, "device_id": DEVICE}),
    json.dumps({"registration_key": KEY[:-1], "device_id": DEVICE}),
    json.dumps({"registration_key": KEY + "k", "device_id": DEVICE}),
    json.dumps({"registration_key": "../" + KEY[3:], "device_id": DEVICE}),
    json.dumps({"registration_key": "k" * 100_000, "device_id": DEVICE}),
    json.dumps({"registration_key": KEY, "device_id": ""}),
    json.dumps({"registration_key": KEY, "device_id": 7}),
    json.dumps({"registration_key": KEY, "device_id": "../devices/x"}),
    json.dumps({"registration_key": KEY, "device_id": "d" * 129}),
    json.dumps({"registration_key": KEY, "device_id": "dév"}),
    json.dumps({"registration_key": KEY, "device_id": {"S": DEVICE}}),
    '{"registration_key": "' + KEY + '", "registration_key": "' + "z" * 43 + '"}',
]


def test_malformed_requests_are_400_and_consume_nothing(app: ModuleType, event: Event) -> None:
    put_key(app.dynamodb)
    for body in MALFORMED:
        request_event = event("devices_register_post")
        if body is None:
            del request_event["body"]
        else:
            request_event["body"] = body
        response = app.lambda_handler(request_event, None)
        assert response["statusCode"] == 400, (body or "")[:60]
        assert isinstance(json.loads(response["body"])["error"], str)
    assert key_exists(app.dynamodb)
    assert app.dynamodb.scan(TableName=DEVICES_TABLE)["Count"] == 0


def test_missing_claims_are_401_and_consume_nothing(app: ModuleType, event: Event) -> None:
    put_key(app.dynamodb)
    for path in (("authorizer",), ("authorizer", "jwt", "claims"), ("authorizer", "jwt")):
        request_event = event("devices_register_post")
        request_event["body"] = json.dumps({"registration_key": KEY, "device_id": DEVICE})
        parent = request_event["requestContext"]
        for step in path[:-1]:
            parent = parent[step]
        del parent[path[-1]]
        assert app.lambda_handler(request_event, None)["statusCode"] == 401
    assert key_exists(app.dynamodb)
    assert device(app.dynamodb) is None


def _cancelled(*codes: str) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": [{"Code": code} for code in codes],
        },
        "TransactWriteItems",
    )


def test_cancellation_reasons_map_to_client_answers(app: ModuleType) -> None:
    conflict = app._rejection(_cancelled("TransactionConflict", "None"), DEVICE)
    assert conflict is not None and conflict.status_code == 409
    device_taken = app._rejection(_cancelled("None", "ConditionalCheckFailed"), DEVICE)
    assert device_taken is not None and device_taken.status_code == 409
    key_first = app._rejection(_cancelled("ConditionalCheckFailed", "ConditionalCheckFailed"), "d")
    assert key_first is not None and key_first.status_code == 403
    # Throttling, validation and other server-side causes are not the client's fault: a 500.
    assert app._rejection(_cancelled("ThrottlingError", "None"), DEVICE) is None
    assert app._rejection(_cancelled("ConditionalCheckFailed"), DEVICE) is None


def test_a_throttled_transaction_is_a_generic_500_and_consumes_nothing(
    app: ModuleType, event: Event, hook: Hook
) -> None:
    put_key(app.dynamodb)

    def throttled(**_: Any) -> None:
        raise _cancelled("ThrottlingError", "None")

    hook(app.dynamodb, "before-call.dynamodb.TransactWriteItems", throttled)

    assert register(app, event) == (500, {"error": "Internal server error"})
    assert key_exists(app.dynamodb)


def test_any_body_is_a_valid_request_or_400(app: ModuleType) -> None:
    values = st.one_of(
        st.none(),
        st.integers(),
        st.text(max_size=50),
        st.from_regex(r"[A-Za-z0-9_:./-]{40,46}", fullmatch=True),
        st.lists(st.text(max_size=3), max_size=2),
    )

    @settings(PROPERTY, max_examples=80)
    @given(st.fixed_dictionaries({}, optional={"registration_key": values, "device_id": values}))
    def check(body: dict[str, Any]) -> None:
        try:
            key, device_id = app.registration_request(body)
        except app.HttpError as error:
            assert error.status_code == 400
        else:
            assert (key, device_id) == (body["registration_key"], body["device_id"])
            assert len(key) == 43 and "/" not in key + device_id

    check()


def test_keys_from_the_post_function_register_devices_and_leave_the_listing(
    load_function: Load, environment: pytest.MonkeyPatch, event: Event
) -> None:
    # The three functions agree on one data model: what POST writes, register consumes and GET
    # stops listing.
    post = load_function("func-api-registration-keys-post")
    created = json.loads(post.lambda_handler(event("registration_keys_post"), None)["body"])
    registration = load_function(FUNCTION)
    other = json.loads(post.lambda_handler(event("registration_keys_post"), None)["body"])

    status, _ = register(registration, event, key=created["registration_key"])

    assert status == 201
    listing = load_function("func-api-registration-keys-get")
    body = json.loads(listing.lambda_handler(event("registration_keys_get"), None)["body"])
    assert [item["registration_key"] for item in body["registration_keys"]] == [
        other["registration_key"]
    ]


def test_missing_variables_fail_the_cold_start_naming_them(
    load_function: Load, environment: pytest.MonkeyPatch
) -> None:
    for variable in ("REGISTRATION_KEYS_TABLE_NAME", "DEVICES_TABLE_NAME"):
        environment.delenv(variable)
        with pytest.raises(RuntimeError, match=f"^{variable} environment variable is required$"):
            load_function(FUNCTION)
        environment.setenv(
            variable, REGISTRATION_KEYS_TABLE if variable.startswith("REG") else DEVICES_TABLE
        )
