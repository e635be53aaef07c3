"""POST /registration-keys: create a one-time device registration key valid for 30 minutes.

Route: HTTP API (payload format 2.0) behind the Cognito JWT authorizer. No request body is read.
Responses: 201 `{"registration_key", "expires_at", "created_at"}`; 401 no JWT claims.

Environment:
  REGISTRATION_KEYS_TABLE_NAME  the `firefly-registration-keys` table (required)

Registration keys table: partition key `registration_key` (S, 43 base64url characters from 32
random bytes); `expires_at` (N, epoch seconds, the table's TTL attribute); `created_at` (S,
ISO 8601 UTC); `created_by` (S, JWT sub).
"""

import time
from datetime import UTC, datetime
from typing import Any

import boto3
from shared.config import require_env
from shared.http import api_handler, caller_subject
from shared.identifiers import generate_registration_key
from shared.logging import get_logger
from shared.responses import success_response

TABLE_NAME = require_env("REGISTRATION_KEYS_TABLE_NAME")
KEY_TTL_SECONDS = 30 * 60

dynamodb = boto3.client("dynamodb")
logger = get_logger("registration-keys-post")


@api_handler(logger)
def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    subject = caller_subject(event)
    now = int(time.time())
    key = generate_registration_key()
    created_at = datetime.fromtimestamp(now, UTC).isoformat()
    dynamodb.put_item(
        TableName=TABLE_NAME,
        Item={
            "registration_key": {"S": key},
            "expires_at": {"N": str(now + KEY_TTL_SECONDS)},
            "created_at": {"S": created_at},
            "created_by": {"S": subject},
        },
        # 256 random bits never collide in practice; the condition makes sure that even then a
        # live key is not silently replaced (the request fails instead).
        ConditionExpression="attribute_not_exists(registration_key)",
    )
    # The key itself is a bearer secret: it goes to the caller, never to the logs.
    logger.info(
        "Registration key created",
        extra={"created_by": subject, "expires_at": now + KEY_TTL_SECONDS},
    )
    return success_response(
        {"registration_key": key, "expires_at": now + KEY_TTL_SECONDS, "created_at": created_at},
        201,
    )
