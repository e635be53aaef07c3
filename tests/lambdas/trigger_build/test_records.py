"""trigger-build's pure record handling: parsing, execution names and input, property-tested."""

from __future__ import annotations

import contextlib
import json
import re
from types import ModuleType
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.lambdas.support import JSON_VALUES, PROPERTY, import_pure

SETTINGS = settings(PROPERTY, max_examples=50)
STATE_MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:dev-deployer"
# What Step Functions refuses in a name (whitespace, brackets, wildcards, punctuation, control
# characters), written out independently of the implementation's allow-list.
FORBIDDEN_IN_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")

field_text = st.text(min_size=1, max_size=60).filter(
    lambda value: value.strip() and not re.search(r"[\x00-\x1f\x7f-\x9f]", value)
)
sequence_numbers = st.from_regex(r"[0-9]{1,40}", fullmatch=True)


@pytest.fixture(scope="module")
def records() -> ModuleType:
    return import_pure("records", folder="trigger-build")


def build(records: ModuleType, **fields: str) -> Any:
    values = {
        "pk": "firmware-api/dev",
        "sk": "2fLzQ8mR1xVb7KcN3pWq5TyHj0E",
        "repo": "firmware-api",
        "env": "dev",
        "branch": "main",
        "version": "1.4.2-build.87",
        "commit_hash": "9f2c1e7",
        "template_name": "",
        "base_repo": "firmware-api",
        "status": "PENDING",
        **fields,
    }
    return records.Build(**values)


def insert(image: dict[str, Any], sequence: str = "111") -> dict[str, Any]:
    serializer = TypeSerializer()
    new_image = {name: serializer.serialize(value) for name, value in image.items()}
    return {"eventName": "INSERT", "dynamodb": {"NewImage": new_image, "SequenceNumber": sequence}}


def test_execution_names_are_valid_bounded_and_deterministic(records: ModuleType) -> None:
    @SETTINGS
    @given(repo=field_text, env=field_text, pk=field_text, sk=field_text, seq=sequence_numbers)
    def check(repo: str, env: str, pk: str, sk: str, seq: str) -> None:
        subject = build(records, repo=repo, env=env, pk=pk, sk=sk)
        name = records.execution_name(subject, seq)
        assert 1 <= len(name) <= 80
        assert not FORBIDDEN_IN_NAME.search(name)
        assert name.isascii()
        assert name == records.execution_name(build(records, repo=repo, env=env, pk=pk, sk=sk), seq)

    check()


def test_execution_names_tell_builds_and_records_apart(records: ModuleType) -> None:
    keys = st.tuples(field_text, field_text, sequence_numbers)

    @SETTINGS
    @given(first=keys, second=keys)
    def check(first: tuple[str, str, str], second: tuple[str, str, str]) -> None:
        a = records.execution_name(build(records, pk=first[0], sk=first[1]), first[2])
        b = records.execution_name(build(records, pk=second[0], sk=second[1]), second[2])
        assert (a == b) == (first == second)

    check()
    # Sanitising maps both repos to "a-b"; the digest still separates them.
    colon = records.execution_name(build(records, repo="a:b", pk="a:b/dev"), "1")
    dash = records.execution_name(build(records, repo="a-b", pk="a-b/dev"), "1")
    assert colon != dash


def test_execution_names_keep_a_readable_prefix(records: ModuleType) -> None:
    name = records.execution_name(build(records, repo="firmware-api:worker"), "4421")
    assert re.fullmatch(r"firmware-api-worker-dev-2fLzQ8mR1xVb7KcN3pWq5TyHj0E-[0-9a-f]{16}", name)
    long = records.execution_name(build(records, repo="r" * 500), "4421")
    assert len(long) == 80
    assert long.startswith("rrrr")
    assert re.fullmatch(
        r"[0-9a-f]{16}", records.execution_name(build(records, repo="ü", env="€", sk="…"), "1")
    )


def test_execution_input_is_canonical_and_complete(records: ModuleType) -> None:
    text = records.execution_input(build(records), "artifacts")
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
    assert json.loads(text) == {
        "pk": "firmware-api/dev",
        "sk": "2fLzQ8mR1xVb7KcN3pWq5TyHj0E",
        "repo": "firmware-api",
        "env": "dev",
        "branch": "main",
        "version": "1.4.2-build.87",
        "commit_hash": "9f2c1e7",
        "template_name": "",
        "base_repo": "firmware-api",
        "s3_bucket": "artifacts",
        "s3_key": "firmware-api/main/1.4.2-build.87",
    }


def test_execution_arn_follows_the_state_machine_arn(records: ModuleType) -> None:
    assert records.execution_arn(STATE_MACHINE, "n-1") == (
        "arn:aws:states:us-east-1:123456789012:execution:dev-deployer:n-1"
    )
    qualified = STATE_MACHINE + ":prod"
    assert records.execution_arn(qualified, "n").endswith(":execution:dev-deployer:n")
    for bad in ("", "dev-deployer", "arn:aws:states:us-east-1:1:activity:x", "arn:aws:s3:::b:c:d"):
        with pytest.raises(ValueError):
            records.execution_arn(bad, "n")


def test_parsing_round_trips_every_valid_build(records: ModuleType) -> None:
    @SETTINGS
    @given(
        fields=st.fixed_dictionaries(
            {name: field_text for name in ("pk", "sk", "repo", "env", "branch", "version")},
            optional={"commit_hash": field_text, "template_name": field_text},
        ),
        extra=st.dictionaries(
            st.sampled_from(["build_number", "stack_name", "created_at"]), st.integers()
        ),
    )
    def check(fields: dict[str, str], extra: dict[str, int]) -> None:
        parsed = records.parse_build(insert({**fields, **extra, "status": "PENDING"}))
        assert parsed.key == (fields["pk"], fields["sk"])
        for name in ("repo", "env", "branch", "version"):
            assert getattr(parsed, name) == fields[name]
        assert parsed.commit_hash == fields.get("commit_hash", "")
        assert parsed.base_repo == fields["repo"]
        assert parsed.status == "PENDING"

    check()


def test_parsing_any_json_answers_a_build_or_invalid_record(records: ModuleType) -> None:
    # Whatever arrives as a record (it is JSON), the parser never fails another way.
    @SETTINGS
    @given(
        record=JSON_VALUES,
        image=st.dictionaries(
            st.sampled_from(["pk", "sk", "repo", "env", "branch", "version", "status", "x"]),
            JSON_VALUES,
        ),
    )
    def check(record: Any, image: dict[str, Any]) -> None:
        for candidate in (record, {"eventName": "INSERT", "dynamodb": {"NewImage": image}}):
            with contextlib.suppress(records.InvalidRecord):
                records.parse_build(candidate)
            records.record_key(candidate)
            records.sequence_number(candidate)
            records.event_name(candidate)

    check()


def test_only_real_sequence_numbers_identify_records(records: ModuleType) -> None:
    @SETTINGS
    @given(value=JSON_VALUES)
    def check(value: Any) -> None:
        found = records.sequence_number({"dynamodb": {"SequenceNumber": value}})
        expected = isinstance(value, str) and re.fullmatch(r"[0-9]{1,40}", value) is not None
        assert (found == value) if expected else found is None

    check()
    assert records.sequence_number({"dynamodb": {"SequenceNumber": "4421584500000000017450439091"}})


def test_parsing_rejects_fields_that_cannot_describe_a_build(records: ModuleType) -> None:
    base = {"pk": "r/dev", "sk": "s", "repo": "r", "env": "dev", "branch": "main", "version": "1"}
    cases = {
        "version is required": {**base, "version": None},
        "branch must not be empty": {**base, "branch": " \t"},
        "env must be a string": {**base, "env": 7},
        "sk is longer than 1024 characters": {**base, "sk": "s" * 1025},
        "repo contains control characters": {**base, "repo": "r\u0085"},
        "commit_hash must be a string": {**base, "commit_hash": ["x"]},
    }
    for message, image in cases.items():
        with pytest.raises(records.InvalidRecord, match=f"^{re.escape(message)}$"):
            records.parse_build(insert({k: v for k, v in image.items() if v is not None}))
    assert records.parse_build(insert({**base, "sk": "s" * 1024})).sk == "s" * 1024
