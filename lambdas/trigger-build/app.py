"""trigger-build (seed 003): a new build record starts the deployment state machine.

Function `{Environment}-aws-deployer-trigger-build`, handler `app.lambda_handler`.

Event: a DynamoDB Streams batch from the builds table (StreamViewType NEW_AND_OLD_IMAGES; event
source mapping BatchSize 10, StartingPosition LATEST, MaximumRetryAttempts 3,
BisectBatchOnFunctionError true, FunctionResponseTypes [ReportBatchItemFailures]):
    {"Records": [{"eventID", "eventName": "INSERT" | "MODIFY" | "REMOVE",
                  "eventSource": "aws:dynamodb", "eventSourceARN",
                  "dynamodb": {"Keys", "NewImage", "OldImage", "SequenceNumber", ...}}]}
Response (partial batch response): {"batchItemFailures": [{"itemIdentifier": "<SequenceNumber>"}]}.

Per record: INSERT of a PENDING build → StartExecution(STATE_MACHINE_ARN, input = build metadata)
→ build IN_PROGRESS with `execution_arn`. MODIFY/REMOVE → skipped with an info log. On any failure:
error log, build FAILED with `error_msg`, and the record reported as a batch item failure so that
only it (and what follows it in the shard) is retried. A retry is idempotent: the execution name is
derived from the record (see records.execution_name), so a second delivery finds the execution the
first one started instead of starting another.

Environment: DYNAMODB_TABLE_NAME, STATE_MACHINE_ARN, S3_BUCKET_NAME (required: a missing one fails
the cold start with "<NAME> environment variable is required"); ENV (default "dev") and VERSION
(optional) label every log line as `deployer_env` / `deployer_version`.

Builds table (DYNAMODB_TABLE_NAME), one item per build:
    pk  (S, HASH)  "{repo}/{env}"
    sk  (S, RANGE) build id, a KSUID (time-sortable)
    repo, env, branch, version (S, required); commit_hash (S; `commitHash` is read too);
    template_name, base_repo, build_number, stack_name (S, optional)
    status (S) PENDING → IN_PROGRESS (this function) → SUCCESS | FAILED (the state machine);
        FAILED also when this function cannot start the execution
    execution_arn (S), error_msg (S), created_at / updated_at / finished_at (N, epoch seconds)
Execution input: {"pk", "sk", "repo", "env", "branch", "version", "commit_hash", "template_name",
    "base_repo", "s3_bucket": S3_BUCKET_NAME, "s3_key": "{base_repo}/{branch}/{version}"}
(base_repo defaults to repo; every key is always present so state machine paths never miss).
"""

from __future__ import annotations

import time
from typing import Any

import boto3
import records
from botocore.exceptions import BotoCoreError, ClientError
from records import FAILED, IN_PROGRESS, PENDING, Build, InvalidRecord
from shared.config import optional_env, require_env
from shared.logging import ContextLogger, get_logger

MAX_ERROR_CHARS = 1000
ERROR_PREFIX = "Failed to start step function: "


TABLE_NAME = require_env("DYNAMODB_TABLE_NAME")
STATE_MACHINE_ARN = require_env("STATE_MACHINE_ARN")
S3_BUCKET_NAME = require_env("S3_BUCKET_NAME")
ENV = optional_env("ENV") or "dev"
VERSION = optional_env("VERSION")

LOG = ContextLogger(get_logger("trigger-build"), {"deployer_env": ENV, "deployer_version": VERSION})
DYNAMODB = boto3.client("dynamodb")
SFN = boto3.client("stepfunctions")

# A build may leave PENDING once. FAILED without an execution ARN is this function's own mark from
# an earlier delivery of the record: the seed retries after marking FAILED, so the retry must be
# able to take the build on. A FAILED with an ARN was set by the state machine and is final.
_CLAIMABLE = "#status = :pending OR (#status = :failed AND attribute_not_exists(execution_arn))"


class BuildNotPending(RuntimeError):
    pass


def lambda_handler(event: Any, context: Any) -> dict[str, list[dict[str, str]]]:
    batch = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(batch, list):
        LOG.error("Error processing DynamoDB record", extra={"error": "event has no Records list"})
        return {"batchItemFailures": []}
    failures = []
    for record in batch:
        sequence = records.sequence_number(record)
        if sequence is None:
            # Lambda reads an empty or unknown itemIdentifier as "the whole batch failed" and
            # would re-deliver every good record with it; a stream never sends such a record.
            LOG.error(
                "Error processing DynamoDB record",
                extra={"error": "record has no SequenceNumber; skipped"},
            )
            continue
        if not _handle(record, sequence):
            failures.append({"itemIdentifier": sequence})
    return {"batchItemFailures": failures}


def _handle(record: dict[str, Any], sequence: str) -> bool:
    """Process one record; False when it failed and must be reported for a retry."""
    event_name = records.event_name(record)
    if event_name != "INSERT":
        LOG.info(
            "Skipping non-INSERT event", extra={"event_name": event_name, "sequence": sequence}
        )
        return True
    try:
        build = records.parse_build(record)
        if build.status != PENDING:
            LOG.info(
                "Skipping build record that is not PENDING",
                extra={**build.metadata(), "status": build.status},
            )
            return True
        LOG.info("Processing new build record", extra={**build.metadata(), "sequence": sequence})
        execution_arn = _start(build, sequence)
    # One bad record must not fail its batch: whatever went wrong is logged, recorded on the
    # build and reported for this record alone.
    except Exception as err:
        message = (ERROR_PREFIX + str(err))[:MAX_ERROR_CHARS]
        LOG.error(
            "Error processing DynamoDB record",
            exc_info=not isinstance(err, InvalidRecord),
            extra={"error": message, "sequence": sequence, "event_id": record.get("eventID")},
        )
        _mark_failed(records.record_key(record), message)
        return False
    LOG.info(
        "Started Step Functions execution",
        extra={**build.metadata(), "execution_arn": execution_arn},
    )
    return True


def _start(build: Build, sequence: str) -> str:
    name = records.execution_name(build, sequence)
    try:
        response = SFN.start_execution(
            stateMachineArn=STATE_MACHINE_ARN,
            name=name,
            input=records.execution_input(build, S3_BUCKET_NAME),
        )
        execution_arn: str = response["executionArn"]
    except SFN.exceptions.ExecutionAlreadyExists:
        # Only a delivery of this same record can have used this name (running executions with
        # the same input are returned, not refused): an earlier attempt started the deployment
        # but did not record it. Adopt it rather than failing a build that is deploying.
        execution_arn = records.execution_arn(STATE_MACHINE_ARN, name)
        LOG.info(
            "Step Functions execution already exists",
            extra={**build.metadata(), "execution_arn": execution_arn},
        )
    _mark_in_progress(build, execution_arn)
    return execution_arn


def _mark_in_progress(build: Build, execution_arn: str) -> None:
    now = {"N": str(int(time.time()))}
    try:
        DYNAMODB.update_item(
            TableName=TABLE_NAME,
            Key=_key(build.key),
            UpdateExpression=(
                "SET #status = :in_progress, execution_arn = :arn, updated_at = :now "
                "REMOVE error_msg, finished_at"
            ),
            ConditionExpression=_CLAIMABLE,
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":in_progress": {"S": IN_PROGRESS},
                ":pending": {"S": PENDING},
                ":failed": {"S": FAILED},
                ":arn": {"S": execution_arn},
                ":now": now,
            },
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except DYNAMODB.exceptions.ConditionalCheckFailedException as err:
        current = err.response.get("Item") or {}
        if current.get("execution_arn", {}).get("S") == execution_arn:
            LOG.info(
                "Build already records this execution",
                extra={**build.metadata(), "execution_arn": execution_arn},
            )
            return
        status = current.get("status", {}).get("S") if current else "deleted"
        raise BuildNotPending(f"build is no longer PENDING (status {status})") from err


def _mark_failed(key: tuple[str, str] | None, message: str) -> None:
    if key is None:
        return
    now = {"N": str(int(time.time()))}
    try:
        DYNAMODB.update_item(
            TableName=TABLE_NAME,
            Key=_key(key),
            UpdateExpression=(
                "SET #status = :failed, error_msg = :error, updated_at = :now, finished_at = :now"
            ),
            # Never overwrite a build that has moved on, nor create an item for a deleted one.
            ConditionExpression=_CLAIMABLE,
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":failed": {"S": FAILED},
                ":pending": {"S": PENDING},
                ":error": {"S": message},
                ":now": now,
            },
        )
    except DYNAMODB.exceptions.ConditionalCheckFailedException:
        LOG.warning("Build not marked FAILED: it is no longer PENDING", extra=_describe_key(key))
    except (ClientError, BotoCoreError):
        LOG.exception("Failed to update build status", extra=_describe_key(key))


def _key(key: tuple[str, str]) -> dict[str, dict[str, str]]:
    return {"pk": {"S": key[0]}, "sk": {"S": key[1]}}


def _describe_key(key: tuple[str, str]) -> dict[str, str]:
    return {"pk": key[0], "sk": key[1]}
