"""Rollback control end to end on the sandbox: `deploy --no-rollback` keeps a failed update,
the next deploy of a fixed template continues from it, and `firefly rollback` recovers a stack
whose rollback failed, skipping the resource deleted out of band."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliResult
from tests.e2e.conftest import Firefly

KEY = {
    "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
}


class Project:
    """A one-workflow manifest ("app") whose template each step rewrites."""

    def __init__(self, folder: Path, firefly: Firefly) -> None:
        self.name = f"rb{uuid.uuid4().hex[:8]}"
        self.stack = f"{self.name}-app"
        self.folder, self._firefly = folder, firefly
        (folder / "workflows.yaml").write_text(
            f"version: 1\nproject: {self.name}\nenvironments:\n"
            "  local: {region: us-east-1, sandbox: true}\n"
            "workflows:\n  app:\n    type: cloudformation\n    template: app.yaml\n"
            "    description: The app\n",
            encoding="utf-8",
        )

    def template(self, timeout: int, taken_table: str | None = None) -> None:
        resources: dict[str, Any] = {
            "Ok": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"QueueName": self.stack, "VisibilityTimeout": timeout},
            }
        }
        if taken_table:  # a table of that name exists already: its creation fails
            resources["Bad"] = {
                "Type": "AWS::DynamoDB::Table",
                "DependsOn": "Ok",
                "DeletionPolicy": "Delete",
                "UpdateReplacePolicy": "Delete",
                "Properties": {"TableName": taken_table, **KEY},
            }
        body = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
        (self.folder / "app.yaml").write_text(json.dumps(body, indent=2), encoding="utf-8")

    def __call__(self, *argv: str) -> CliResult:
        return self._firefly(*argv, "--manifest", str(self.folder / "workflows.yaml"))


@pytest.fixture
def project(on_engine: None, firefly: Firefly, tmp_path: Path) -> Project:
    return Project(tmp_path, firefly)


def status_of(aws: Callable[[str], Any], stack: str) -> str:
    return str(aws("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"])


def failed_update(project: Project, aws: Callable[[str], Any]) -> CliResult:
    """Deploy the queue, then an update that changes it and fails, with --no-rollback."""
    project.template(30)
    assert project("deploy", "--env", "local").code == 0
    taken = f"{project.name}-taken"
    aws("dynamodb").create_table(TableName=taken, **KEY)
    project.template(60, taken_table=taken)
    return project("deploy", "--env", "local", "--no-rollback")


def test_no_rollback_keeps_update_failed_and_a_fixed_template_continues(
    project: Project, aws: Callable[[str], Any]
) -> None:
    failed = failed_update(project, aws)

    assert failed.code == 1
    assert "ended UPDATE_FAILED: Bad (AWS::DynamoDB::Table) CREATE_FAILED" in failed.err
    assert "'firefly rollback --env local --only app'" in failed.err
    assert status_of(aws, project.stack) == "UPDATE_FAILED"

    project.template(90)
    fixed = project("deploy", "--env", "local")

    assert fixed.code == 0, fixed.err
    assert status_of(aws, project.stack) == "UPDATE_COMPLETE"


def test_rollback_recovers_an_update_rollback_failed_stack(
    project: Project, aws: Callable[[str], Any]
) -> None:
    assert failed_update(project, aws).code == 1
    sqs = aws("sqs")
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=project.stack)["QueueUrl"])

    stuck = project("rollback", "--env", "local", "--only", "app")
    blocked = project("deploy", "--env", "local")
    recovered = project("rollback", "--env", "local", "--only", "app", "--skip-resource", "Ok")

    assert stuck.code == 1
    assert f"app: stack {project.stack} ended UPDATE_ROLLBACK_FAILED: Ok (AWS::SQS::Queue)" in (
        stuck.err
    )
    assert blocked.code == 1
    assert "'firefly rollback --env local --only app --skip-resource Ok'" in blocked.err
    assert recovered.code == 0, recovered.err
    assert f"app: stack {project.stack} rolled back: UPDATE_ROLLBACK_COMPLETE" in recovered.out
    assert status_of(aws, project.stack) == "UPDATE_ROLLBACK_COMPLETE"


def test_a_settled_stack_has_nothing_to_roll_back(
    project: Project, aws: Callable[[str], Any]
) -> None:
    project.template(30)
    assert project("deploy", "--env", "local").code == 0

    result = project("rollback", "--env", "local", "--only", "app")

    assert result.code == 0
    assert (
        result.out.strip() == f"app: nothing to roll back: stack {project.stack} is CREATE_COMPLETE"
    )
