"""Configuration from the environment, and malformed or hostile stream input."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from tests.lambdas.support import (
    BUILDS_TABLE,
    log_lines,
)
from tests.lambdas.trigger_build.helpers import (
    PREFIX,
    Event,
    EventLoader,
    executions,
    get_build,
    insert_images,
    messages,
    seq,
)

# --- configuration ----------------------------------------------------------------------------


def test_configuration_comes_from_the_environment(
    configure: None,
    monkeypatch: pytest.MonkeyPatch,
    load_function: Callable[..., ModuleType],
    event: EventLoader,
    dynamodb: Any,
    capsys: Any,
) -> None:
    # A missing required variable fails the cold start with the seed's message.
    for name in ("DYNAMODB_TABLE_NAME", "STATE_MACHINE_ARN", "S3_BUCKET_NAME"):
        for value in (None, "   "):
            with monkeypatch.context() as env:
                if value is None:
                    env.delenv(name)
                else:
                    env.setenv(name, value)
                message = f"^{name} environment variable is required$"
                with pytest.raises(RuntimeError, match=message):
                    load_function("trigger-build")

    # ENV and VERSION label every log line (their defaults are in the happy-path test).
    monkeypatch.setenv("ENV", "prd")
    monkeypatch.setenv("VERSION", "2024.05.1")
    app = load_function("trigger-build")
    batch = event("trigger_build_batch")
    insert_images(dynamodb, batch)

    app.lambda_handler(batch, None)

    lines = log_lines(capsys)
    assert len(lines) == 6
    labels = {(line["deployer_env"], line["deployer_version"]) for line in lines}
    assert labels == {("prd", "2024.05.1")}


# --- malformed and hostile input --------------------------------------------------------------


def _without(field: str) -> Callable[[Event], None]:
    def change(record: Event) -> None:
        del record["dynamodb"]["NewImage"][field]

    return change


def _attribute(field: str, value: Any) -> Callable[[Event], None]:
    def change(record: Event) -> None:
        record["dynamodb"]["NewImage"][field] = value

    return change


def _set(path: tuple[str, ...], value: Any) -> Callable[[Event], None]:
    def change(record: Event) -> None:
        target = record
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


MALFORMED = {
    "no NewImage": (_set(("dynamodb", "NewImage"), None), "record has no NewImage"),
    "NewImage a list": (_set(("dynamodb", "NewImage"), [1, 2]), "record has no NewImage"),
    "no repo": (_without("repo"), "repo is required"),
    "no branch": (_without("branch"), "branch is required"),
    "version a number": (_attribute("version", {"N": "1.4"}), "version must be a string"),
    "env empty": (_attribute("env", {"S": ""}), "env must not be empty"),
    "env blank": (_attribute("env", {"S": "   "}), "env must not be empty"),
    "branch huge": (_attribute("branch", {"S": "b" * 5000}), "branch is longer than 1024"),
    "repo control chars": (_attribute("repo", {"S": "api\x00\n"}), "repo contains control"),
    "commit a list": (_attribute("commit_hash", {"L": []}), "commit_hash must be a string"),
    "unknown type": (_attribute("branch", {"X": "main"}), "not in DynamoDB attribute-value form"),
    "bad number": (_attribute("created_at", {"N": "1e99999"}), "attribute-value form"),
    "value not a map": (_attribute("branch", "main"), "attribute-value form"),
    "empty value": (_attribute("branch", {}), "attribute-value form"),
}


def test_a_malformed_insert_marks_its_build_failed_and_is_reported(
    app: ModuleType,
    event: EventLoader,
    dynamodb: Any,
    sfn: Any,
    state_machine: str,
    capsys: Any,
) -> None:
    for case, (change, expected) in MALFORMED.items():
        batch = event("trigger_build_insert")
        insert_images(dynamodb, batch)  # back to PENDING
        record = batch["Records"][0]
        change(record)

        result = app.lambda_handler(batch, None)

        assert result == {"batchItemFailures": [{"itemIdentifier": seq(record)}]}, case
        build = get_build(dynamodb, record)
        assert build is not None, case
        assert build["status"] == "FAILED", case
        assert build["error_msg"].startswith(PREFIX), case
        assert expected in build["error_msg"], case
        errors = [line for line in log_lines(capsys) if line["level"] == "ERROR"]
        assert [line["message"] for line in errors] == ["Error processing DynamoDB record"], case
    assert executions(sfn, state_machine) == []


def test_a_record_without_a_usable_key_is_reported_and_touches_no_item(
    app: ModuleType, event: EventLoader, dynamodb: Any
) -> None:
    unusable = [
        None,
        {},
        "pk",
        {"pk": {"S": ""}, "sk": {"S": "x"}},
        {"pk": {"N": "1"}, "sk": {"S": "x"}},
    ]
    for keys in unusable:
        batch = event("trigger_build_insert")
        record = batch["Records"][0]
        record["dynamodb"]["Keys"] = keys
        record["dynamodb"]["NewImage"] = {"status": {"S": "PENDING"}}

        result = app.lambda_handler(batch, None)

        assert result == {"batchItemFailures": [{"itemIdentifier": seq(record)}]}, keys
    assert dynamodb.scan(TableName=BUILDS_TABLE)["Items"] == []

    # Without Keys, the key comes from NewImage.
    batch = event("trigger_build_insert")
    insert_images(dynamodb, batch)
    record = batch["Records"][0]
    keys = record["dynamodb"].pop("Keys")
    del record["dynamodb"]["NewImage"]["version"]

    app.lambda_handler(batch, None)

    record["dynamodb"]["Keys"] = keys
    build = get_build(dynamodb, record)
    assert build is not None
    assert build["status"] == "FAILED"


def test_what_cannot_be_identified_is_logged_and_skipped_not_reported(
    app: ModuleType,
    event: EventLoader,
    dynamodb: Any,
    sfn: Any,
    state_machine: str,
    capsys: Any,
) -> None:
    hostile = [None, [], "Records", 42, {}, {"Records": None}, {"Records": "INSERT"}]
    for batch in [*hostile, {"Records": {"eventName": "INSERT"}}]:
        assert app.lambda_handler(batch, None) == {"batchItemFailures": []}, batch
        (line,) = log_lines(capsys)
        assert line["message"] == "Error processing DynamoDB record", batch

    # A record without a real SequenceNumber cannot be reported: Lambda would read an unknown
    # identifier as "the whole batch failed".
    for sequence in [None, "", "abc", "12 34", "1" * 41, 123, ["1"], "-1"]:
        batch = event("trigger_build_insert")
        insert_images(dynamodb, batch)
        batch["Records"][0]["dynamodb"]["SequenceNumber"] = sequence

        assert app.lambda_handler(batch, None) == {"batchItemFailures": []}, sequence

        build = get_build(dynamodb, batch["Records"][0])
        assert build is not None and build["status"] == "PENDING", sequence
        assert messages(log_lines(capsys)) == ["Error processing DynamoDB record"], sequence
    assert executions(sfn, state_machine) == []

    # Junk beside a good record does not stop it.
    batch = event("trigger_build_insert")
    batch["Records"] = [None, 7, "INSERT", {}, {"dynamodb": "x"}, *batch["Records"]]
    assert app.lambda_handler(batch, None) == {"batchItemFailures": []}
    assert len(executions(sfn, state_machine)) == 1


def test_other_events_and_builds_that_are_not_pending_are_skipped(
    app: ModuleType, event: EventLoader, sfn: Any, state_machine: str, capsys: Any
) -> None:
    for name in [None, "", "insert", "DELETE", 1, ["INSERT"]]:
        batch = event("trigger_build_insert")
        batch["Records"][0]["eventName"] = name

        assert app.lambda_handler(batch, None) == {"batchItemFailures": []}, name

        assert messages(log_lines(capsys)) == ["Skipping non-INSERT event"], name

    for status in ({"S": "SUCCESS"}, {"S": "IN_PROGRESS"}, {"S": "pending"}, {"N": "1"}, None):
        batch = event("trigger_build_insert")
        image = batch["Records"][0]["dynamodb"]["NewImage"]
        if status is None:
            del image["status"]
        else:
            image["status"] = status

        assert app.lambda_handler(batch, None) == {"batchItemFailures": []}, status

        assert messages(log_lines(capsys)) == ["Skipping build record that is not PENDING"], status
    assert executions(sfn, state_machine) == []
