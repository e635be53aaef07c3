"""POST /devices/register: register a device by consuming a one-time registration key.

Route: HTTP API (payload format 2.0) behind the Cognito JWT authorizer.
Body: `{"registration_key": "<43 base64url chars>", "device_id": "<id>"}`.
The key's conditional Delete (it must exist and be unexpired) and the device's conditional Put
(it must not exist yet) run in one TransactWriteItems: either both happen or neither, so a key
registers exactly one device.
Responses: 201 `{"device_id", "registered_at"}`; 400 malformed body, key or device_id;
401 no JWT claims; 403 unknown or already used key; 410 expired key; 409 device already
registered, or the same key being consumed by a concurrent request (the key is kept for a retry).

Environment:
  REGISTRATION_KEYS_TABLE_NAME  the `firefly-registration-keys` table (required)
  DEVICES_TABLE_NAME            the devices table (required)

Registration keys table: partition key `registration_key` (S); `expires_at` (N, epoch seconds,
TTL attribute). Devices table: partition key `device_id` (S); `registered_at` (S, ISO 8601 UTC);
`registered_by` (S, JWT sub).
"""

import time
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError
from shared.config import require_env
from shared.dynamodb import cancellation_reasons
from shared.http import HttpError, api_handler, caller_subject, json_body
from shared.identifiers import is_valid_device_id, is_valid_registration_key
from shared.logging import get_logger
from shared.responses import success_response

KEYS_TABLE_NAME = require_env("REGISTRATION_KEYS_TABLE_NAME")
DEVICES_TABLE_NAME = require_env("DEVICES_TABLE_NAME")

dynamodb = boto3.client("dynamodb")
logger = get_logger("devices-register-post")


def registration_request(body: dict[str, Any]) -> tuple[str, str]:
    key = body.get("registration_key")
    if not is_valid_registration_key(key):
        raise HttpError(400, "Missing or invalid 'registration_key'")
    device_id = body.get("device_id")
    if not is_valid_device_id(device_id):
        raise HttpError(400, "Missing or invalid 'device_id'")
    return key, device_id


def _rejection(error: ClientError, device_id: str) -> HttpError | None:
    """The client-facing answer to a cancelled transaction, or None when it is not the client's."""
    reasons = cancellation_reasons(error)
    if len(reasons) != 2:
        return None
    key_reason, device_reason = (reason.get("Code") for reason in reasons)
    # The key is judged first: with a bad key the device's state is none of the caller's business.
    if key_reason == "ConditionalCheckFailed":
        if reasons[0].get("Item"):
            return HttpError(410, "Registration key has expired")
        return HttpError(403, "Registration key is invalid or has already been used")
    if device_reason == "ConditionalCheckFailed":
        return HttpError(409, "Device is already registered", device_id=device_id)
    if "TransactionConflict" in (key_reason, device_reason):
        return HttpError(409, "Registration key is being used by a concurrent request")
    return None


@api_handler(logger)
def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    subject = caller_subject(event)
    key, device_id = registration_request(json_body(event))
    now = int(time.time())
    registered_at = datetime.fromtimestamp(now, UTC).isoformat()
    try:
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Delete": {
                        "TableName": KEYS_TABLE_NAME,
                        "Key": {"registration_key": {"S": key}},
                        "ConditionExpression": "attribute_exists(registration_key) "
                        "AND expires_at > :now",
                        "ExpressionAttributeValues": {":now": {"N": str(now)}},
                        # Returns the key when it exists but expired: tells 410 from 403.
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
                {
                    "Put": {
                        "TableName": DEVICES_TABLE_NAME,
                        "Item": {
                            "device_id": {"S": device_id},
                            "registered_at": {"S": registered_at},
                            "registered_by": {"S": subject},
                        },
                        "ConditionExpression": "attribute_not_exists(device_id)",
                    }
                },
            ]
        )
    except ClientError as error:
        rejection = _rejection(error, device_id)
        if rejection is None:
            raise
        raise rejection from error
    logger.info("Device registered", extra={"device_id": device_id, "registered_by": subject})
    return success_response({"device_id": device_id, "registered_at": registered_at}, 201)
