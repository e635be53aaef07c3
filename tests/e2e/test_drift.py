"""Drift end to end on the sandbox: a table whose TTL was turned off outside CloudFormation is
DRIFTED with the property path and both values (exit 1), `deploy --revert-drift` restores the
template's value, and `drift` then says IN_SYNC (exit 0)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliResult
from tests.e2e.conftest import Firefly

TABLE = {
    "Type": "AWS::DynamoDB::Table",
    "DeletionPolicy": "Delete",
    "UpdateReplacePolicy": "Delete",
    "Properties": {
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"},
    },
}


class Project:
    """A manifest of two workflows: "table" (a table with TTL) and "queue" (never deployed)."""

    def __init__(self, folder: Path, firefly: Firefly) -> None:
        self.name = f"dr{uuid.uuid4().hex[:8]}"
        self.table = f"{self.name}-table"
        self.folder, self._firefly = folder, firefly
        (folder / "workflows.yaml").write_text(
            f"version: 1\nproject: {self.name}\nenvironments:\n"
            "  local: {region: us-east-1, sandbox: true}\n"
            "workflows:\n"
            "  table:\n    type: cloudformation\n    template: table.yaml\n"
            "    description: The table\n"
            "  queue:\n    type: cloudformation\n    template: queue.yaml\n"
            "    description: The queue\n",
            encoding="utf-8",
        )
        table = {"Resources": {"Table": {**TABLE, "Properties": {**TABLE["Properties"]}}}}
        table["Resources"]["Table"]["Properties"]["TableName"] = self.table
        queue = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}
        for name, body in (("table", table), ("queue", queue)):
            (folder / f"{name}.yaml").write_text(json.dumps(body), encoding="utf-8")

    def __call__(self, *argv: str) -> CliResult:
        return self._firefly(*argv, "--manifest", str(self.folder / "workflows.yaml"))


@pytest.fixture
def project(on_engine: None, firefly: Firefly, tmp_path: Path) -> Project:
    return Project(tmp_path, firefly)


def test_ttl_turned_off_is_reported_reverted_and_then_in_sync(
    project: Project, aws: Callable[[str], Any]
) -> None:
    assert project("deploy", "--env", "local", "--only", "table").code == 0
    aws("dynamodb").update_time_to_live(
        TableName=project.table,
        TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"},
    )

    drifted = project("drift", "--env", "local")
    as_json = project("drift", "--env", "local", "--json")
    document = json.loads(as_json.out)

    assert drifted.code == 1, drifted.err
    assert "table: DRIFTED" in drifted.out
    assert "/TimeToLiveSpecification/Enabled: expected true, actual false" in drifted.out
    assert "queue: NOT_CHECKED" in drifted.out
    assert as_json.code == 1
    assert document["workflows"]["table"]["resources"][0]["properties"] == [
        {
            "path": "/TimeToLiveSpecification/Enabled",
            "expected": "true",
            "actual": "false",
            "difference": "NOT_EQUAL",
        }
    ]
    assert document["workflows"]["queue"]["status"] == "NOT_CHECKED"

    planned = project("plan", "--env", "local", "--only", "table")
    planned_revert = project("plan", "--env", "local", "--only", "table", "--revert-drift")

    assert "table: unchanged [drift: DRIFTED, checked" in planned.out, planned.err
    assert "table: update" in planned_revert.out, planned_revert.err
    assert "Modify Table (AWS::DynamoDB::Table)" in planned_revert.out

    reverted = project("deploy", "--env", "local", "--only", "table", "--revert-drift")
    in_sync = project("drift", "--env", "local", "--only", "table")

    assert reverted.code == 0, reverted.err
    ttl = aws("dynamodb").describe_time_to_live(TableName=project.table)
    assert ttl["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"
    assert in_sync.code == 0, in_sync.err
    assert "table: IN_SYNC" in in_sync.out
