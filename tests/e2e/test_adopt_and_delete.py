"""Seed 001's scenarios on the sandbox, through the CLI: adopt a table that exists without its
stack, deletion protection, dependent stacks first, and the delete of a whole environment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Firefly, read_report

TABLE = "firefly-registration-keys"
STACK = "firefly-dynamodb-registration-keys"


def stacks(aws: Callable[[str], Any]) -> set[str]:
    pages = aws("cloudformation").get_paginator("describe_stacks").paginate()
    return {s["StackName"] for page in pages for s in page["Stacks"]}


def items(aws: Callable[[str], Any]) -> int:
    return int(aws("dynamodb").scan(TableName=TABLE, Select="COUNT")["Count"])


def fresh_environment(local: Firefly) -> None:
    result = local("delete", "--env", "local", "--yes", "--disable-deletion-protection")
    assert result.code == 0, result.err


def table_with_items(aws: Callable[[str], Any], count: int, protected: bool = True) -> None:
    """The table as seed 001 finds it: live, deletion-protected (unless told), holding keys."""
    dynamodb = aws("dynamodb")
    if TABLE not in dynamodb.list_tables()["TableNames"]:
        dynamodb.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "registration_key", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "registration_key", "KeyType": "HASH"}],
            DeletionProtectionEnabled=protected,
        )
    else:
        dynamodb.update_table(TableName=TABLE, DeletionProtectionEnabled=protected)
    for index in range(count):
        dynamodb.put_item(TableName=TABLE, Item={"registration_key": {"S": f"key-{index}"}})


def test_a_table_without_its_stack_is_imported_and_keeps_every_item(
    local: Firefly, aws: Callable[[str], Any], tmp_path: Path
) -> None:
    fresh_environment(local)
    table_with_items(aws, 30)
    assert STACK not in stacks(aws)
    before = items(aws)

    report = tmp_path / "report.json"
    result = local(
        "deploy", "--env", "local", "--only", "dynamodb-registration-keys", "--report", str(report)
    )

    assert result.code == 0, result.err
    entry = read_report(report)["workflows"]["dynamodb-registration-keys"]
    assert entry["status"] == "imported"
    assert entry["outputs"]["TableName"] == TABLE  # added by the deploy after the import
    assert items(aws) == before >= 30
    again = local("deploy", "--env", "local", "--only", "dynamodb-registration-keys")
    assert "dynamodb-registration-keys: unchanged" in again.out


def test_an_imported_table_gets_the_protection_and_ttl_its_template_declares(
    local: Firefly, aws: Callable[[str], Any]
) -> None:
    """An IMPORT takes the table as found; CloudFormation then sees nothing to change. The
    table found bare must still end with the template's deletion protection and TTL."""
    fresh_environment(local)
    dynamodb = aws("dynamodb")
    if TABLE in dynamodb.list_tables()["TableNames"]:
        dynamodb.update_table(TableName=TABLE, DeletionProtectionEnabled=False)
        dynamodb.delete_table(TableName=TABLE)  # a bare table, made below, without TTL
    table_with_items(aws, 4, protected=False)

    result = local("deploy", "--env", "local", "--only", "dynamodb-registration-keys")

    assert result.code == 0, result.err
    assert (
        "corrected after the import: RegistrationKeysTable: DeletionProtectionEnabled "
        "false -> true" in result.err
    )
    assert dynamodb.describe_table(TableName=TABLE)["Table"]["DeletionProtectionEnabled"] is True
    ttl = dynamodb.describe_time_to_live(TableName=TABLE)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")
    assert items(aws) == 4
    again = local("deploy", "--env", "local", "--only", "dynamodb-registration-keys")
    assert "dynamodb-registration-keys: unchanged" in again.out


@pytest.mark.parametrize("flags", [(), ("--disable-deletion-protection",)])
def test_the_retained_table_neither_blocks_the_delete_nor_loses_its_protection(
    local: Firefly, aws: Callable[[str], Any], flags: tuple[str, ...]
) -> None:
    """The table is DeletionPolicy: Retain, so the stack's delete keeps it: its deletion
    protection is no reason to refuse, and the flag must not turn it off on a kept table."""
    table_with_items(aws, 3)
    assert local("deploy", "--env", "local", "--only", "dynamodb-registration-keys").code == 0
    kept = items(aws)

    result = local(
        "delete", "--env", "local", "--only", "dynamodb-registration-keys", "--yes", *flags
    )

    assert result.code == 0, result.err
    assert "blocked" not in result.err
    assert STACK not in stacks(aws)
    table = aws("dynamodb").describe_table(TableName=TABLE)["Table"]
    assert table["DeletionProtectionEnabled"] is True
    assert items(aws) == kept


def test_the_functions_using_the_table_must_be_deleted_first(
    local: Firefly, aws: Callable[[str], Any]
) -> None:
    deployed = local("deploy", "--env", "local", "--only", "func-api-registration-keys-post")
    assert deployed.code == 0, deployed.out + deployed.err

    result = local(
        "delete",
        "--env",
        "local",
        "--only",
        "dynamodb-registration-keys",
        "--no-deps",
        "--yes",
        "--disable-deletion-protection",
    )

    assert result.code == 1
    assert result.error_lines == ["error: nothing was deleted: 1 blocker, listed above"]
    assert (
        "blocked: dynamodb-registration-keys: func-api-registration-keys-post must be deleted "
        "first" in result.err
    )
    assert {STACK, "firefly-func-api-registration-keys-post"} <= stacks(aws)


@pytest.mark.parametrize("flag", ["--disable-deletion-protection"])
def test_deleting_the_environment_leaves_exactly_the_retained_table(
    local: Firefly, aws: Callable[[str], Any], tmp_path: Path, flag: str
) -> None:
    table_with_items(aws, 5)
    deployed = local(
        "deploy",
        "--env",
        "local",
        "--only",
        "s3-qr-uploads",
        "--only",
        "func-api-devices-register-post",
        "--only",
        "func-status",
    )
    assert deployed.code == 0, deployed.out + deployed.err
    kept = items(aws)

    report = tmp_path / "delete.json"
    result = local("delete", "--env", "local", "--yes", flag, "--report", str(report))

    assert result.code == 0, result.err
    assert not {s for s in stacks(aws) if s.startswith("firefly-")}
    statuses = {w["status"] for w in read_report(report)["workflows"].values()}
    assert statuses <= {"deleted", "unchanged"}
    assert items(aws) == kept  # the retained table, with its data
    assert (
        f"dynamodb-registration-keys: RegistrationKeysTable (AWS::DynamoDB::Table) {TABLE}"
    ) in result.out
