"""shared.dynamodb: item conversion, error predicates and page tokens a client cannot forge."""

import base64
import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.lambdas.support import PROPERTY, import_pure

dynamodb = import_pure("shared.dynamodb")
identifiers = import_pure("shared.identifiers")

KEY = "registration_key"
VALID_KEY = "A" * 43


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _client_error(code: str, **extra: Any) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, **extra}, "Op")


def test_from_dynamodb_gives_json_ready_values() -> None:
    item = {
        "zip_name": {"S": "fw.zip"},
        "ttl": {"N": "1718000000"},
        "ratio": {"N": "0.5"},
        "nested": {"M": {"n": {"N": "2"}, "l": {"L": [{"N": "3"}, {"BOOL": True}]}}},
        "tags": {"SS": ["a"]},
        "none": {"NULL": True},
    }

    plain = dynamodb.from_dynamodb(item)

    assert plain == {
        "zip_name": "fw.zip",
        "ttl": 1718000000,
        "ratio": 0.5,
        "nested": {"n": 2, "l": [3, True]},
        "tags": ["a"],
        "none": None,
    }
    assert type(plain["ttl"]) is int
    json.dumps(plain)


@settings(PROPERTY, max_examples=60)
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_stored_values_come_back_as_the_json_they_were(value: Any) -> None:
    assert dynamodb.from_dynamodb({"v": TypeSerializer().serialize(value)})["v"] == value


def test_sets_come_back_sorted_and_binaries_as_base64() -> None:
    assert dynamodb.from_dynamodb({"s": {"NS": ["2", "0.5"]}}) == {"s": [0.5, 2]}
    assert dynamodb.from_dynamodb({"s": {"SS": ["b", "a"]}}) == {"s": ["a", "b"]}
    assert dynamodb.from_dynamodb({"b": {"B": b"\x00\xff"}, "bs": {"BS": [b"b", b"a"]}}) == {
        "b": "AP8=",
        "bs": ["YQ==", "Yg=="],
    }
    assert dynamodb.from_dynamodb({"n": {"N": "5.2"}}) == {"n": 5.2}


def test_plain_keeps_big_integers_exact() -> None:
    assert dynamodb.from_dynamodb({"n": {"N": "12345678901234567890"}}) == {
        "n": 12345678901234567890
    }
    assert dynamodb._plain(Decimal("1.25")) == 1.25


def test_conditional_check_failed_predicate() -> None:
    assert dynamodb.is_conditional_check_failed(_client_error("ConditionalCheckFailedException"))
    assert not dynamodb.is_conditional_check_failed(_client_error("ThrottlingException"))
    assert not dynamodb.is_conditional_check_failed(ClientError({}, "Op"))


def test_old_item_on_condition_failure() -> None:
    error = _client_error("ConditionalCheckFailedException", Item={"status": {"S": "RELEASED"}})

    assert dynamodb.old_item_on_condition_failure(error) == {"status": "RELEASED"}
    assert dynamodb.old_item_on_condition_failure(_client_error("X")) is None


def test_cancellation_reasons() -> None:
    reasons = [{"Code": "ConditionalCheckFailed"}, {"Code": "None"}]
    error = _client_error("TransactionCanceledException", CancellationReasons=reasons)

    assert dynamodb.cancellation_reasons(error) == reasons
    assert dynamodb.cancellation_reasons(_client_error("ThrottlingException")) == []
    assert dynamodb.cancellation_reasons(_client_error("TransactionCanceledException")) == []


def test_page_token_round_trips_and_is_opaque() -> None:
    token = dynamodb.encode_page_token({KEY: {"S": VALID_KEY}}, KEY)

    assert VALID_KEY not in token
    assert "=" not in token
    assert dynamodb.decode_page_token(token, KEY, identifiers.is_valid_registration_key) == {
        KEY: {"S": VALID_KEY}
    }


HOSTILE_TOKENS = [
    "",
    "not base64!",
    "%2F%2F",
    "a",
    "====",
    _b64(b"not json"),
    _b64(b"[]"),
    _b64(b"null"),
    _b64(json.dumps({KEY: {"S": VALID_KEY}}).encode()),  # a raw DynamoDB key
    _b64(json.dumps({KEY: VALID_KEY, "admin": True}).encode()),  # extra attribute
    _b64(json.dumps({"device_id": VALID_KEY}).encode()),  # another table's key
    _b64(json.dumps({KEY: "../../etc"}).encode()),  # wrong format
    _b64(json.dumps({KEY: 12}).encode()),
    _b64(json.dumps({KEY: VALID_KEY}).encode()) + "==",  # padding is never issued
    base64.b64encode(json.dumps({KEY: VALID_KEY + "?>"}).encode()).decode(),
    _b64(b"[" * 400),
    "A" * 10_000,
]


def test_hostile_page_tokens_are_refused() -> None:
    for token in HOSTILE_TOKENS:
        decoded = dynamodb.decode_page_token(token, KEY, identifiers.is_valid_registration_key)
        assert decoded is None, token[:60]


@settings(PROPERTY, max_examples=40)
@given(st.from_regex(r"[A-Za-z0-9_-]{43}", fullmatch=True))
def test_every_valid_key_round_trips(value: str) -> None:
    token = dynamodb.encode_page_token({KEY: {"S": value}}, KEY)

    assert dynamodb.decode_page_token(token, KEY, identifiers.is_valid_registration_key) == {
        KEY: {"S": value}
    }


@settings(PROPERTY, max_examples=150)
@given(
    st.one_of(
        st.text(max_size=80),
        st.from_regex(r"[A-Za-z0-9_-]{0,120}", fullmatch=True),
        st.dictionaries(st.text(max_size=20), st.text(max_size=50), max_size=3).map(
            lambda data: _b64(json.dumps(data).encode())
        ),
    )
)
def test_any_token_decodes_to_a_single_valid_key_or_nothing(token: str) -> None:
    key = dynamodb.decode_page_token(token, KEY, identifiers.is_valid_registration_key)

    assert key is None or (
        set(key) == {KEY} and identifiers.is_valid_registration_key(key[KEY]["S"])
    )
