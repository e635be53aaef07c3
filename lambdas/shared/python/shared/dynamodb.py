"""DynamoDB helpers for the low-level client: item conversion, error predicates, page tokens."""

import base64
import binascii
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import Binary, TypeDeserializer
from botocore.exceptions import ClientError

_DESERIALIZER = TypeDeserializer()

# A page token only ever wraps one key attribute; this bounds the work spent on a hostile one.
MAX_PAGE_TOKEN_LENGTH = 512
_PAGE_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


def _plain(value: Any) -> Any:
    # The deserializer gives Decimal for numbers, sets for SS/NS/BS and Binary for B, none of
    # which json.dumps takes.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_plain(inner) for inner in value]
    if isinstance(value, set | frozenset):
        # A DynamoDB set holds one type, so its plain values compare; sorting makes it stable.
        return sorted(_plain(inner) for inner in value)
    if isinstance(value, Binary):
        return base64.b64encode(value.value).decode("ascii")
    return value


def from_dynamodb(item: dict[str, Any]) -> dict[str, Any]:
    """A low-level client item (`{"S": ...}` values) as JSON-ready Python values."""
    return {key: _plain(_DESERIALIZER.deserialize(value)) for key, value in item.items()}


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def is_conditional_check_failed(error: ClientError) -> bool:
    return error_code(error) == "ConditionalCheckFailedException"


def old_item_on_condition_failure(error: ClientError) -> dict[str, Any] | None:
    """The item a failed condition saw (ReturnValuesOnConditionCheckFailure=ALL_OLD), if any."""
    item = error.response.get("Item")
    return from_dynamodb(item) if isinstance(item, dict) else None


def cancellation_reasons(error: ClientError) -> list[dict[str, Any]]:
    """Per-operation reasons of a TransactionCanceledException, in request order; [] otherwise."""
    if error_code(error) != "TransactionCanceledException":
        return []
    reasons = error.response.get("CancellationReasons")
    return [reason if isinstance(reason, dict) else {} for reason in reasons or []]


def encode_page_token(last_evaluated_key: dict[str, Any], key_name: str) -> str:
    """An opaque token for a scan's LastEvaluatedKey on a table keyed by one string attribute."""
    value = last_evaluated_key[key_name]["S"]
    raw = json.dumps({key_name: value}, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_page_token(
    token: str, key_name: str, is_valid_value: Callable[[str], bool]
) -> dict[str, Any] | None:
    """The ExclusiveStartKey a token stands for, or None when the token is not one we issued.

    The token comes back from the client, so it is rebuilt from scratch rather than passed
    through: exactly one attribute, the table's key, a string in the key's own format. Anything
    else (extra attributes, other types, another table's key) is refused.
    """
    if not isinstance(token, str) or len(token) > MAX_PAGE_TOKEN_LENGTH:
        return None
    if not _PAGE_TOKEN.fullmatch(token):
        return None
    try:
        # validate=True refuses characters outside the alphabet instead of silently skipping them.
        raw = base64.b64decode(
            token.replace("-", "+").replace("_", "/") + "=" * (-len(token) % 4), validate=True
        )
        data = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or set(data) != {key_name}:
        return None
    value = data[key_name]
    if not isinstance(value, str) or not is_valid_value(value):
        return None
    return {key_name: {"S": value}}
