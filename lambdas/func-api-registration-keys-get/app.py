"""GET /registration-keys: list the registration keys that have not expired, a page at a time.

Route: HTTP API (payload format 2.0) behind the Cognito JWT authorizer.
Query: `limit` (1..100, default 25) and `next_token` (opaque, from the previous page).
Responses: 200 `{"registration_keys": [...], "count": n, "next_token": str | null}`;
400 bad limit or next_token; 401 no JWT claims. A page can hold fewer than `limit` keys (even
none) while `next_token` is set: keep paging until it is null.

Environment:
  REGISTRATION_KEYS_TABLE_NAME  the `firefly-registration-keys` table (required)

Registration keys table: partition key `registration_key` (S); `expires_at` (N, epoch seconds,
TTL attribute); `created_at` (S); `created_by` (S).
"""

import time
from typing import Any

import boto3
from shared.config import require_env
from shared.dynamodb import decode_page_token, encode_page_token, from_dynamodb
from shared.http import HttpError, api_handler, bounded_int, caller_subject, query_parameter
from shared.identifiers import is_valid_registration_key
from shared.logging import get_logger
from shared.responses import success_response

TABLE_NAME = require_env("REGISTRATION_KEYS_TABLE_NAME")
KEY_NAME = "registration_key"
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
# Each Scan call reads at most `limit` items; when most of them are expired this caps the calls
# (and the latency) of one request, and the client continues with next_token.
MAX_SCAN_CALLS = 10

dynamodb = boto3.client("dynamodb")
logger = get_logger("registration-keys-get")


def _scan_live_keys(limit: int, start_key: dict[str, Any] | None) -> tuple[list[Any], Any]:
    items: list[dict[str, Any]] = []
    for _ in range(MAX_SCAN_CALLS):
        kwargs: dict[str, Any] = {
            "TableName": TABLE_NAME,
            # Limit counts items read before the filter, so asking for what is still missing
            # can never return more than `limit` keys in total: no item is skipped between pages.
            "Limit": limit - len(items),
            # TTL deletes expired items only eventually (often hours later): filter them here.
            "FilterExpression": "#expires_at > :now",
            "ExpressionAttributeNames": {"#expires_at": "expires_at"},
            "ExpressionAttributeValues": {":now": {"N": str(int(time.time()))}},
        }
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        response = dynamodb.scan(**kwargs)
        items.extend(response.get("Items", []))
        start_key = response.get("LastEvaluatedKey")
        if not start_key or len(items) >= limit:
            break
    return items, start_key


@api_handler(logger)
def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    caller_subject(event)
    limit = bounded_int(
        query_parameter(event, "limit"),
        "limit",
        default=DEFAULT_LIMIT,
        minimum=1,
        maximum=MAX_LIMIT,
    )
    token = query_parameter(event, "next_token")
    start_key = None
    if token is not None:
        start_key = decode_page_token(token, KEY_NAME, is_valid_registration_key)
        if start_key is None:
            raise HttpError(400, "Invalid 'next_token'")

    items, last_key = _scan_live_keys(limit, start_key)
    keys = [from_dynamodb(item) for item in items]
    return success_response(
        {
            "registration_keys": keys,
            "count": len(keys),
            "next_token": encode_page_token(last_key, KEY_NAME) if last_key else None,
        }
    )
