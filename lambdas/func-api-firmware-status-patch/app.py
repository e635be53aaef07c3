"""PATCH /firmware/{zip_name}/status: one step of the firmware release state machine (seed 000).

Route: HTTP API (payload format 2.0) behind the Cognito JWT authorizer; body `{"status": STATE}`.
Transitions, one step forward only: READY_TO_TEST → TESTING → RELEASED → REVOKED.
  → RELEASED copies s3://PRIVATE/{zip_name} to s3://PUBLIC/{zip_name}.
  → REVOKED moves s3://PUBLIC/{zip_name} to s3://PUBLIC/revoked/{zip_name} and sets `ttl`.
Responses: 200 updated item; 400 bad zip_name/body/state; 401 no JWT claims; 404 unknown
firmware; 409 illegal transition or lost race (body has current_status and requested_status);
500 public bucket not configured (RELEASED/REVOKED), item left unchanged.

Environment:
  DYNAMODB_FIRMWARE_TABLE_NAME  firmware table (required)
  FIRMWARE_PRIVATE_BUCKET_NAME  bucket holding the binaries under test (required)
  FIRMWARE_PUBLIC_BUCKET_NAME   download bucket; may be empty (seed: RELEASED then fails at runtime)
  ENVIRONMENT_NAME              target environment, added to every log line (required)

Firmware table: partition key `zip_name` (S); `status` (S); `updated_by` (S, JWT sub) and
`updated_at` (S, ISO 8601 UTC) of the last transition; `ttl` (N, epoch seconds, set on REVOKED).
"""

import time
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError
from shared.config import optional_env, require_env
from shared.dynamodb import (
    from_dynamodb,
    is_conditional_check_failed,
    old_item_on_condition_failure,
)
from shared.http import HttpError, api_handler, caller_subject, json_body, path_parameter
from shared.identifiers import is_valid_zip_name
from shared.logging import get_logger
from shared.responses import success_response

TABLE_NAME = require_env("DYNAMODB_FIRMWARE_TABLE_NAME")
PRIVATE_BUCKET = require_env("FIRMWARE_PRIVATE_BUCKET_NAME")
# Optional on purpose: the seed's failure table has the function deploy without it and only the
# transitions that touch the public bucket fail.
PUBLIC_BUCKET = optional_env("FIRMWARE_PUBLIC_BUCKET_NAME")
ENVIRONMENT_NAME = require_env("ENVIRONMENT_NAME")

dynamodb = boto3.client("dynamodb")
s3 = boto3.client("s3")
logger = get_logger("firmware-status-patch")

STATES = ("READY_TO_TEST", "TESTING", "RELEASED", "REVOKED")
NEXT_STATE = {"READY_TO_TEST": "TESTING", "TESTING": "RELEASED", "RELEASED": "REVOKED"}
REVOKED_PREFIX = "revoked/"
# The seed sets "a TTL" without a duration; keep the revoked record for a quarter so support
# can still answer "what happened to this firmware" before DynamoDB expires it.
REVOKED_RECORD_TTL_SECONDS = 90 * 24 * 60 * 60


def is_allowed_transition(current: Any, requested: str) -> bool:
    return isinstance(current, str) and NEXT_STATE.get(current) == requested


def requested_status(body: dict[str, Any]) -> str:
    status = body.get("status")
    if status is None:
        raise HttpError(400, "Missing 'status'", allowed_statuses=list(STATES))
    if not isinstance(status, str) or status not in STATES:
        raise HttpError(400, "Invalid 'status'", allowed_statuses=list(STATES))
    return status


def _conflict(message: str, current: Any, requested: str) -> HttpError:
    return HttpError(409, message, current_status=current, requested_status=requested)


def _log_extra(zip_name: str, **fields: Any) -> dict[str, Any]:
    return {"environment": ENVIRONMENT_NAME, "zip_name": zip_name, **fields}


def _load(zip_name: str) -> dict[str, Any]:
    # Strongly consistent: the transition check must see the latest committed state.
    response = dynamodb.get_item(
        TableName=TABLE_NAME, Key={"zip_name": {"S": zip_name}}, ConsistentRead=True
    )
    if "Item" not in response:
        raise HttpError(404, "Firmware not found", zip_name=zip_name)
    return from_dynamodb(response["Item"])


class _LostRace(Exception):
    def __init__(self, current_item: dict[str, Any] | None) -> None:
        super().__init__("status changed concurrently")
        self.current_item = current_item


def _commit(zip_name: str, current: str, requested: str, subject: str) -> dict[str, Any]:
    """Write the new state only if the item still has the state we validated against."""
    names = {"#status": "status", "#by": "updated_by", "#at": "updated_at"}
    values: dict[str, Any] = {
        ":current": {"S": current},
        ":requested": {"S": requested},
        ":by": {"S": subject},
        ":at": {"S": datetime.now(UTC).isoformat(timespec="seconds")},
    }
    update = "SET #status = :requested, #by = :by, #at = :at"
    if requested == "REVOKED":
        names["#ttl"] = "ttl"
        values[":ttl"] = {"N": str(int(time.time()) + REVOKED_RECORD_TTL_SECONDS)}
        update += ", #ttl = :ttl"
    try:
        response = dynamodb.update_item(
            TableName=TABLE_NAME,
            Key={"zip_name": {"S": zip_name}},
            UpdateExpression=update,
            ConditionExpression="#status = :current",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if is_conditional_check_failed(error):
            raise _LostRace(old_item_on_condition_failure(error)) from error
        raise
    return from_dynamodb(response["Attributes"])


def _public_bucket(zip_name: str, requested: str) -> str:
    if PUBLIC_BUCKET is None:
        logger.error(
            "FIRMWARE_PUBLIC_BUCKET_NAME is not set: cannot complete the transition",
            extra=_log_extra(zip_name, requested_status=requested),
        )
        raise HttpError(500, "Firmware public bucket is not configured")
    return PUBLIC_BUCKET


def _is_missing_object(error: ClientError) -> bool:
    # CopyObject names a missing source NoSuchKey; HEAD-style calls answer with a bare 404.
    return error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404")


def _delete_public_copy(bucket: str, zip_name: str) -> None:
    try:
        s3.delete_object(Bucket=bucket, Key=zip_name)
    except ClientError:
        logger.exception(
            "Could not delete the public copy of a firmware that is not RELEASED",
            extra=_log_extra(zip_name, bucket=bucket),
        )


def _release(zip_name: str, subject: str) -> dict[str, Any]:
    bucket = _public_bucket(zip_name, "RELEASED")
    # Copy first: the item must never say RELEASED while the binary is not downloadable.
    try:
        s3.copy_object(
            Bucket=bucket, Key=zip_name, CopySource={"Bucket": PRIVATE_BUCKET, "Key": zip_name}
        )
    except ClientError as error:
        if not _is_missing_object(error):
            raise
        logger.error("Firmware binary missing from the private bucket", extra=_log_extra(zip_name))
        raise _conflict(
            "Firmware binary not found in the private bucket", "TESTING", "RELEASED"
        ) from error
    try:
        return _commit(zip_name, "TESTING", "RELEASED", subject)
    except _LostRace as race:
        current = (race.current_item or {}).get("status")
        # Another request won. If it released too, the public object is the same binary and
        # stays; if the firmware has since been revoked (or deleted), our copy would republish
        # it, so take it down again.
        if current != "RELEASED":
            _delete_public_copy(bucket, zip_name)
        raise
    except Exception:
        # The item still says TESTING: a public copy of untested firmware must not stay.
        _delete_public_copy(bucket, zip_name)
        raise


def _move_to_revoked(bucket: str, zip_name: str) -> None:
    try:
        s3.copy_object(
            Bucket=bucket,
            Key=REVOKED_PREFIX + zip_name,
            CopySource={"Bucket": bucket, "Key": zip_name},
        )
    except ClientError as error:
        if not _is_missing_object(error):
            raise
        # Already gone (an earlier attempt moved it before failing, or a concurrent revoke):
        # revoking must still succeed, since its purpose is that the binary is not public.
        logger.warning(
            "No public object to move under revoked/", extra=_log_extra(zip_name, bucket=bucket)
        )
    s3.delete_object(Bucket=bucket, Key=zip_name)


def _revoke(zip_name: str, subject: str) -> dict[str, Any]:
    bucket = _public_bucket(zip_name, "REVOKED")
    # Move first, commit second. If the commit fails the object stays withdrawn while the item
    # still says RELEASED: the safe direction, and a retry converges (the move is idempotent).
    _move_to_revoked(bucket, zip_name)
    item = _commit(zip_name, "RELEASED", "REVOKED", subject)
    # A release that lost its race to an earlier release may have copied the binary back
    # between our move and our commit; now that REVOKED is committed no release can succeed,
    # so one more delete closes that window for good.
    _delete_public_copy(bucket, zip_name)
    return item


def _transition(zip_name: str, current: str, requested: str, subject: str) -> dict[str, Any]:
    if requested == "RELEASED":
        return _release(zip_name, subject)
    if requested == "REVOKED":
        return _revoke(zip_name, subject)
    return _commit(zip_name, current, requested, subject)


@api_handler(logger)
def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    subject = caller_subject(event)
    zip_name = path_parameter(event, "zip_name")
    if not is_valid_zip_name(zip_name):
        raise HttpError(400, "Invalid 'zip_name'")
    requested = requested_status(json_body(event))

    current = _load(zip_name).get("status")
    if not isinstance(current, str) or not is_allowed_transition(current, requested):
        raise _conflict("Illegal status transition", current, requested)

    try:
        item = _transition(zip_name, current, requested, subject)
    except _LostRace as race:
        if race.current_item is None:
            raise HttpError(404, "Firmware not found", zip_name=zip_name) from race
        raise _conflict(
            "Firmware status changed by a concurrent request",
            race.current_item.get("status"),
            requested,
        ) from race

    logger.info(
        "Firmware status changed",
        extra=_log_extra(zip_name, previous_status=current, status=requested, updated_by=subject),
    )
    return success_response({**item, "previous_status": current})
