"""DynamoDB stream event source mappings deliver new stream records to their function.

moto invokes every mapped function synchronously inside the write that made the record, with
every record the shard ever held, and then empties the shard (so the stream loses its records).
AWS polls the stream instead: each mapping reads from its own position (TRIM_HORIZON or LATEST),
in batches of BatchSize, retries a failed batch (MaximumRetryAttempts, BisectBatchOnFunctionError),
and with `ReportBatchItemFailures` resumes from the lowest failed sequence number. Records stay
readable on the stream.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from typing import Any

from moto.awslambda.models import (
    EventSourceMapping,
    LambdaBackend,
    LambdaFunction,
    lambda_backends,
)
from moto.core.utils import unix_time
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import StreamRecord, StreamShard

from orchestrator.sandbox.fixes.lambda_invoke_runs_handler import run_handler
from orchestrator.sandbox.lambda_host.runner import Invocation

_MARK = "_firefly_stream_delivery"
IDLE_POLL_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0
_deliverers: dict[str, _Deliverer] = {}
_lock = threading.Lock()
_log = logging.getLogger(__name__)


def install() -> None:
    if getattr(StreamShard.add, _MARK, False):
        return
    original_create = LambdaBackend.create_event_source_mapping
    original_update = LambdaBackend.update_event_source_mapping

    def create(self: LambdaBackend, spec: dict[str, Any]) -> EventSourceMapping:
        mapping = original_create(self, spec)
        _start(self, mapping)
        return mapping

    def update(self: LambdaBackend, uuid: str, spec: dict[str, Any]) -> Any:
        updated = original_update(self, uuid, spec)
        _wake_all()
        return updated

    setattr(_add_record, _MARK, True)
    setattr(StreamShard, "add", _add_record)  # noqa: B010
    setattr(LambdaBackend, "create_event_source_mapping", create)  # noqa: B010
    setattr(LambdaBackend, "update_event_source_mapping", update)  # noqa: B010


def _add_record(self: StreamShard, old: Any, new: Any) -> None:
    """moto's StreamShard.add, minus its synchronous delivery and the emptying of the shard."""
    view = (self.table.stream_specification or {})["StreamViewType"]
    event = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    sequence = len(self.items) + self.starting_sequence_number
    self.items.append(StreamRecord(self.table, view, event, old, new, sequence))
    _wake_all()


def _start(backend: LambdaBackend, mapping: EventSourceMapping) -> None:
    shard = _shard(mapping.event_source_arn)
    if shard is None:  # not a DynamoDB stream (SQS, Kinesis): moto's own delivery stays
        return
    # LATEST: only records written from now on; TRIM_HORIZON: all the shard holds
    start = len(shard.items) if mapping.starting_position == "LATEST" else 0
    deliverer = _Deliverer(backend, mapping.uuid, start)
    with _lock:
        _deliverers[mapping.uuid] = deliverer
    deliverer.start()


def _wake_all() -> None:
    with _lock:
        deliverers = list(_deliverers.values())
    for deliverer in deliverers:
        deliverer.wake.set()


def _shard(stream_arn: str) -> StreamShard | None:
    """The shard of a live DynamoDB stream ARN (`<table arn>/stream/<label>`)."""
    parts = stream_arn.split(":")
    if len(parts) < 6 or parts[2] != "dynamodb" or "/stream/" not in parts[5]:
        return None
    table_name = parts[5].split("/")[1]
    tables = dynamodb_backends[parts[4]][parts[3]].tables
    table = tables.get(table_name)
    if table is None or table.stream_shard is None:
        return None
    if stream_arn != f"{table.table_arn}/stream/{table.latest_stream_label}":
        return None  # the stream was replaced: this mapping's stream is gone
    return table.stream_shard


class _Deliverer(threading.Thread):
    """Polls one mapping's stream and invokes its function, one batch at a time, in order."""

    def __init__(self, backend: LambdaBackend, uuid: str, position: int) -> None:
        super().__init__(name=f"esm-{uuid}", daemon=True)
        self.backend = backend
        self.uuid = uuid
        self.position = position
        self.attempts = 0
        self.split = 0  # a batch size below BatchSize while bisecting a failed batch
        self.wake = threading.Event()

    def run(self) -> None:
        while True:
            mapping = self._mapping()
            if mapping is None:  # deleted (or the engine was reset): stop polling
                with _lock:
                    _deliverers.pop(self.uuid, None)
                return
            try:
                delay = self._deliver_next(mapping) if mapping.enabled else IDLE_POLL_SECONDS
            except Exception:  # a delivery must never kill the poller; AWS would retry too
                _log.exception("delivery of mapping %s failed", self.uuid)
                delay = MAX_BACKOFF_SECONDS
            if delay:
                self.wake.wait(delay)
                self.wake.clear()

    def _mapping(self) -> EventSourceMapping | None:
        current = lambda_backends[self.backend.account_id][self.backend.region_name]
        if current is not self.backend:
            return None
        return self.backend._event_source_mappings.get(self.uuid)

    def _deliver_next(self, mapping: EventSourceMapping) -> float:
        """Deliver one batch; the seconds to wait before the next try (0: go on at once)."""
        shard = _shard(mapping.event_source_arn)
        function = self._function(mapping)
        limit = int(mapping.batch_size)  # a template's value may arrive as a string
        size = min(self.split or limit, limit)
        batch = shard.items[self.position : self.position + size] if shard else []
        if function is None or not batch:
            return IDLE_POLL_SECONDS
        outcome = run_handler(function, {"Records": [_lambda_record(r, mapping) for r in batch]})
        resume = _failed_from(batch, outcome, mapping)
        if resume is None:
            return self._advance(len(batch))
        if outcome.failed and mapping.bisect_on_error and len(batch) > 1:
            # BisectBatchOnFunctionError: retry each half; a split is not a retry of a record
            self.split = len(batch) // 2
            return 0.0
        self.attempts += 1
        retries = int(mapping.max_retry_attempts if mapping.max_retry_attempts is not None else -1)
        if 0 <= retries < self.attempts:
            return self._advance(len(batch))  # retries exhausted: AWS discards the batch
        self.position += resume
        return min(0.5 * 2.0 ** (self.attempts - 1), MAX_BACKOFF_SECONDS)

    def _advance(self, count: int) -> float:
        self.position += count
        self.attempts = 0
        self.split = 0
        return 0.0

    def _function(self, mapping: EventSourceMapping) -> LambdaFunction | None:
        try:
            return self.backend.get_function(mapping.function_arn)
        except Exception:  # the function was deleted under its mapping; AWS just fails to invoke
            return None


def _failed_from(
    batch: list[StreamRecord], outcome: Invocation, mapping: EventSourceMapping
) -> int | None:
    """Where in `batch` to resume: None when the batch succeeded, 0 when all of it failed."""
    if outcome.failed:
        return 0
    if "ReportBatchItemFailures" not in (mapping.function_response_types or []):
        return None
    try:
        response = json.loads(outcome.payload)
    except ValueError:
        return 0
    failures = response.get("batchItemFailures") if isinstance(response, dict) else None
    if not failures:  # an empty or null list (or response) means the whole batch succeeded
        return None
    sequences = [r.record["dynamodb"]["SequenceNumber"] for r in batch]
    failed = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if identifier not in sequences:  # AWS: a null, empty or unknown id fails the batch
            return 0
        failed.append(sequences.index(identifier))
    # streams are ordered: AWS checkpoints before the lowest failed sequence number
    return min(failed)


def _lambda_record(record: StreamRecord, mapping: EventSourceMapping) -> dict[str, Any]:
    """A stream record as Lambda delivers it (epoch seconds, the mapping's region and ARN)."""
    data = record.to_json()
    dynamodb = dict(data["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = unix_time(created)
    return {
        "eventID": data["eventID"],
        "eventName": data["eventName"],
        "eventVersion": data["eventVersion"],
        "eventSource": data["eventSource"],
        "awsRegion": mapping.region,
        "dynamodb": dynamodb,
        "eventSourceARN": mapping.event_source_arn,
    }
