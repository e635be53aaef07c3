"""INSERT records start executions and mark builds IN_PROGRESS; other events are skipped; a
failure marks the build FAILED and reports its record alone; retries are idempotent."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.lambdas.support import (
    BUILDS_TABLE,
    Hook,
    log_lines,
)
from tests.lambdas.trigger_build.helpers import (
    BUCKET,
    PREFIX,
    EventLoader,
    executions,
    get_build,
    insert_images,
    messages,
    seq,
)

# --- the seed's happy path -------------------------------------------------------------------


# The execution input of the sample INSERT: the build metadata and where its artifacts are.
SAMPLE_INPUT = {
    "pk": "firmware-api/dev",
    "sk": "2fLzQ8mR1xVb7KcN3pWq5TyHj0E",
    "repo": "firmware-api",
    "env": "dev",
    "branch": "main",
    "version": "1.4.2-build.87",
    "commit_hash": "9f2c1e7b4a0d8c3e5f6a7b8c9d0e1f2a3b4c5d6e",
    "template_name": "",
    "base_repo": "firmware-api",
    "s3_bucket": BUCKET,
    "s3_key": "firmware-api/main/1.4.2-build.87",
}


def test_insert_starts_the_execution_with_the_build_metadata_and_marks_it_in_progress(
    app: ModuleType, event: EventLoader, dynamodb: Any, sfn: Any, state_machine: str, capsys: Any
) -> None:
    batch = event("trigger_build_insert")
    insert_images(dynamodb, batch)

    result = app.lambda_handler(batch, None)

    assert result == {"batchItemFailures": []}
    (execution,) = executions(sfn, state_machine)
    assert execution["status"] == "RUNNING"
    assert json.loads(execution["input"]) == SAMPLE_INPUT
    build = get_build(dynamodb, batch["Records"][0])
    assert build is not None
    assert build["status"] == "IN_PROGRESS"
    assert build["execution_arn"] == execution["executionArn"]
    assert build["updated_at"] >= 1714521600
    assert "error_msg" not in build
    assert "finished_at" not in build
    # The name is readable, valid for Step Functions and derived from the record alone.
    parsed = app.records.parse_build(batch["Records"][0])
    assert execution["name"] == app.records.execution_name(parsed, seq(batch["Records"][0]))
    assert execution["name"].startswith("firmware-api-dev-2fLzQ8mR1xVb7KcN3pWq5TyHj0E-")
    assert len(execution["name"]) <= 80

    lines = log_lines(capsys)
    assert messages(lines) == ["Processing new build record", "Started Step Functions execution"]
    assert lines[1]["execution_arn"] == execution["executionArn"]
    assert lines[1]["level"] == "INFO"
    assert {line["deployer_env"] for line in lines} == {"dev"}
    assert {line["deployer_version"] for line in lines} == {None}


def test_modify_and_remove_are_skipped_with_an_info_log(
    app: ModuleType, event: EventLoader, dynamodb: Any, sfn: Any, state_machine: str, capsys: Any
) -> None:
    for name in ("trigger_build_modify", "trigger_build_remove"):
        batch = event(name)
        record = batch["Records"][0]
        stored = record["dynamodb"].get("NewImage") or record["dynamodb"]["OldImage"]
        dynamodb.put_item(TableName=BUILDS_TABLE, Item=stored)
        before = get_build(dynamodb, record)

        result = app.lambda_handler(batch, None)

        assert result == {"batchItemFailures": []}, name
        assert get_build(dynamodb, record) == before, name
        (line,) = log_lines(capsys)
        assert line["message"] == "Skipping non-INSERT event", name
        assert line["level"] == "INFO", name
        assert line["event_name"] == record["eventName"], name
    assert executions(sfn, state_machine) == []


def test_a_mixed_batch_starts_one_execution_per_insert(
    app: ModuleType, event: EventLoader, dynamodb: Any, sfn: Any, state_machine: str, capsys: Any
) -> None:
    batch = event("trigger_build_batch")
    # Older writers name the commit `commitHash`; it is read as well.
    worker_image = batch["Records"][2]["dynamodb"]["NewImage"]
    worker_image["commitHash"] = worker_image.pop("commit_hash")
    insert_images(dynamodb, batch)

    result = app.lambda_handler(batch, None)

    assert result == {"batchItemFailures": []}
    started = {json.loads(e["input"])["sk"]: e for e in executions(sfn, state_machine)}
    assert set(started) == {"2fLzQ8mR1xVb7KcN3pWq5TyHj0E", "2fLzR0sT1uV2wX3yZ4aB5cD6eF7"}
    worker = json.loads(started["2fLzR0sT1uV2wX3yZ4aB5cD6eF7"]["input"])
    # A sub-template build deploys from its base repo's artifacts.
    assert worker["repo"] == "firmware-api:worker"
    assert worker["template_name"] == "worker"
    assert worker["s3_key"] == "firmware-api/main/1.4.2-build.87"
    assert worker["commit_hash"] == worker_image["commitHash"]["S"]
    assert ":" not in started["2fLzR0sT1uV2wX3yZ4aB5cD6eF7"]["name"]
    for record in (batch["Records"][0], batch["Records"][2]):
        build = get_build(dynamodb, record)
        assert build is not None
        assert build["status"] == "IN_PROGRESS"
        assert build["execution_arn"] == started[build["sk"]]["executionArn"]
    assert messages(log_lines(capsys)).count("Skipping non-INSERT event") == 2


def test_a_full_batch_of_ten_inserts_is_processed(
    app: ModuleType, event: EventLoader, dynamodb: Any, sfn: Any, state_machine: str
) -> None:
    template = event("trigger_build_insert")["Records"][0]
    records = []
    for number in range(10):
        record = copy.deepcopy(template)
        sk = {"S": f"2fLzQ8mR1xVb7KcN3pWq5Ty{number:04d}"}
        record["dynamodb"]["Keys"]["sk"] = record["dynamodb"]["NewImage"]["sk"] = sk
        record["dynamodb"]["SequenceNumber"] = str(4421584500000000017450439100 + number)
        records.append(record)
    batch = {"Records": records}
    insert_images(dynamodb, batch)

    assert app.lambda_handler(batch, None) == {"batchItemFailures": []}

    assert len(executions(sfn, state_machine)) == 10


# --- failures: FAILED build, partial batch response -------------------------------------------


def test_a_failed_start_marks_the_build_failed_and_reports_only_that_record(
    configure: None,
    monkeypatch: pytest.MonkeyPatch,
    load_function: Callable[..., ModuleType],
    event: EventLoader,
    dynamodb: Any,
    capsys: Any,
) -> None:
    # A missing state machine, with an ARN long enough to show the recorded error is bounded.
    missing = "arn:aws:states:us-east-1:123456789012:stateMachine:deleted-" + "x" * 3000
    monkeypatch.setenv("STATE_MACHINE_ARN", missing)
    app = load_function("trigger-build")
    batch = event("trigger_build_insert")
    insert_images(dynamodb, batch)
    record = batch["Records"][0]

    result = app.lambda_handler(batch, None)

    assert result == {"batchItemFailures": [{"itemIdentifier": seq(record)}]}
    build = get_build(dynamodb, record)
    assert build is not None
    assert build["status"] == "FAILED"
    assert build["error_msg"].startswith(PREFIX)
    assert "StateMachineDoesNotExist" in build["error_msg"]
    assert len(build["error_msg"]) == app.MAX_ERROR_CHARS
    assert build["finished_at"] == build["updated_at"]
    assert "execution_arn" not in build
    error = next(line for line in log_lines(capsys) if line["level"] == "ERROR")
    assert error["message"] == "Error processing DynamoDB record"
    assert error["error"] == build["error_msg"]
    assert "StateMachineDoesNotExist" in error["traceback"]


def test_only_the_bad_record_of_a_batch_is_reported(
    app: ModuleType, event: EventLoader, dynamodb: Any, sfn: Any, state_machine: str
) -> None:
    batch = event("trigger_build_batch")
    del batch["Records"][2]["dynamodb"]["NewImage"]["version"]
    insert_images(dynamodb, batch)
    good, bad = batch["Records"][0], batch["Records"][2]

    result = app.lambda_handler(batch, None)

    assert result == {"batchItemFailures": [{"itemIdentifier": seq(bad)}]}
    good_build, bad_build = get_build(dynamodb, good), get_build(dynamodb, bad)
    assert good_build is not None and good_build["status"] == "IN_PROGRESS"
    assert bad_build is not None and bad_build["status"] == "FAILED"
    assert bad_build["error_msg"] == PREFIX + "version is required"
    (execution,) = executions(sfn, state_machine)
    assert json.loads(execution["input"])["sk"] == good_build["sk"]


# --- idempotent retries -----------------------------------------------------------------------


def test_a_redelivered_record_starts_nothing_new(
    app: ModuleType, event: EventLoader, dynamodb: Any, sfn: Any, state_machine: str, capsys: Any
) -> None:
    batch = event("trigger_build_insert")
    record = batch["Records"][0]
    insert_images(dynamodb, batch)
    app.lambda_handler(batch, None)
    first = get_build(dynamodb, record)
    capsys.readouterr()

    # While the execution runs, Step Functions hands back the same execution.
    assert app.lambda_handler(batch, None) == {"batchItemFailures": []}
    assert len(executions(sfn, state_machine)) == 1
    assert get_build(dynamodb, record) == first
    assert "Build already records this execution" in messages(log_lines(capsys))

    # After it ended (here badly, as the state machine's last step records it), the name is
    # refused; the redelivery is still no failure and changes nothing.
    assert first is not None
    sfn.stop_execution(executionArn=first["execution_arn"])
    dynamodb.update_item(
        TableName=BUILDS_TABLE,
        Key=record["dynamodb"]["Keys"],
        UpdateExpression="SET #s = :f, error_msg = :e",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":f": {"S": "FAILED"}, ":e": {"S": "Stack rolled back"}},
    )
    ended = get_build(dynamodb, record)

    assert app.lambda_handler(batch, None) == {"batchItemFailures": []}
    assert len(executions(sfn, state_machine)) == 1
    assert get_build(dynamodb, record) == ended


def test_a_retry_takes_over_the_build_its_earlier_attempt_marked_failed(
    app: ModuleType, event: EventLoader, dynamodb: Any, sfn: Any, state_machine: str
) -> None:
    batch = event("trigger_build_insert")
    record = batch["Records"][0]
    failed = dict(
        record["dynamodb"]["NewImage"],
        status={"S": "FAILED"},
        error_msg={"S": PREFIX + "ThrottlingException"},
        finished_at={"N": "1714521601"},
    )
    dynamodb.put_item(TableName=BUILDS_TABLE, Item=failed)

    result = app.lambda_handler(batch, None)

    assert result == {"batchItemFailures": []}
    build = get_build(dynamodb, record)
    (execution,) = executions(sfn, state_machine)
    assert build is not None
    assert build["status"] == "IN_PROGRESS"
    assert build["execution_arn"] == execution["executionArn"]
    assert "error_msg" not in build
    assert "finished_at" not in build


def test_a_retry_adopts_the_execution_an_earlier_attempt_started_but_did_not_record(
    app: ModuleType, event: EventLoader, dynamodb: Any, sfn: Any, state_machine: str
) -> None:
    batch = event("trigger_build_batch")
    running, finished = batch["Records"][0], batch["Records"][2]
    earlier = {}
    for record in (running, finished):
        build = app.records.parse_build(record)
        earlier[seq(record)] = sfn.start_execution(
            stateMachineArn=state_machine,
            name=app.records.execution_name(build, seq(record)),
            input=app.records.execution_input(build, BUCKET),
        )["executionArn"]
        failed = dict(
            record["dynamodb"]["NewImage"],
            status={"S": "FAILED"},
            error_msg={"S": PREFIX + "ProvisionedThroughputExceededException"},
        )
        dynamodb.put_item(TableName=BUILDS_TABLE, Item=failed)
    sfn.stop_execution(executionArn=earlier[seq(finished)])

    result = app.lambda_handler(batch, None)

    assert result == {"batchItemFailures": []}
    assert {e["executionArn"] for e in executions(sfn, state_machine)} == set(earlier.values())
    for record in (running, finished):
        stored = get_build(dynamodb, record)
        assert stored is not None
        assert stored["status"] == "IN_PROGRESS"
        assert stored["execution_arn"] == earlier[seq(record)]


def test_a_build_that_moved_on_or_vanished_is_reported_and_left_alone(
    app: ModuleType, event: EventLoader, dynamodb: Any, capsys: Any
) -> None:
    batch = event("trigger_build_batch")
    taken, deleted = batch["Records"][0], batch["Records"][2]
    other = "arn:aws:states:us-east-1:123456789012:execution:dev-deployer:manual-rerun"
    dynamodb.put_item(
        TableName=BUILDS_TABLE,
        Item=dict(
            taken["dynamodb"]["NewImage"], status={"S": "IN_PROGRESS"}, execution_arn={"S": other}
        ),
    )

    result = app.lambda_handler(batch, None)

    assert result == {
        "batchItemFailures": [{"itemIdentifier": seq(taken)}, {"itemIdentifier": seq(deleted)}]
    }
    build = get_build(dynamodb, taken)
    assert build is not None
    assert build["status"] == "IN_PROGRESS"
    assert build["execution_arn"] == other
    assert "error_msg" not in build
    # A deleted build is not brought back by the FAILED mark.
    assert get_build(dynamodb, deleted) is None
    warnings = [line for line in log_lines(capsys) if line["level"] == "WARNING"]
    assert [line["message"] for line in warnings] == [
        "Build not marked FAILED: it is no longer PENDING"
    ] * 2
    assert {(line["pk"], line["sk"]) for line in warnings} == {
        (taken["dynamodb"]["Keys"]["pk"]["S"], taken["dynamodb"]["Keys"]["sk"]["S"]),
        (deleted["dynamodb"]["Keys"]["pk"]["S"], deleted["dynamodb"]["Keys"]["sk"]["S"]),
    }


def test_when_the_failed_mark_fails_too_the_record_is_still_reported(
    app: ModuleType, event: EventLoader, dynamodb: Any, hook: Hook, capsys: Any
) -> None:
    batch = event("trigger_build_insert")
    insert_images(dynamodb, batch)

    def unavailable(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "m"}}, "Call")

    hook(app.SFN, "before-call.sfn.StartExecution", unavailable)
    hook(app.DYNAMODB, "before-call.dynamodb.UpdateItem", unavailable)

    result = app.lambda_handler(batch, None)

    assert result == {"batchItemFailures": [{"itemIdentifier": seq(batch["Records"][0])}]}
    build = get_build(dynamodb, batch["Records"][0])
    assert build is not None and build["status"] == "PENDING"
    errors = [line for line in log_lines(capsys) if line["level"] == "ERROR"]
    assert [line["message"] for line in errors] == [
        "Error processing DynamoDB record",
        "Failed to update build status",
    ]
    assert "ServiceUnavailable" in errors[0]["error"]
    assert "ServiceUnavailable" in errors[1]["traceback"]
