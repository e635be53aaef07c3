"""An `adopt:` stack whose first create failed after making its table converges in one rerun.

The failed create rolls back to ROLLBACK_COMPLETE and keeps the table (DeletionPolicy: Retain).
A plain create would then fail on "Table already exists" at every rerun; the rerun must delete
the dead stack and IMPORT the table, with every item and its deletion protection.
"""

from __future__ import annotations

import json
import textwrap
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orchestrator.sandbox.lifecycle import SandboxInfo
from orchestrator.templates.loader import parse_yaml
from tests.conftest import REPO
from tests.e2e.conftest import read_report
from tests.sandbox_access import use_engine

Aws = Callable[[str], Any]
# What fails after the table exists, with a template cfn-lint accepts: a function whose code
# object is in a bucket that does not exist.
FAILS_AFTER_THE_TABLE = {
    "Role": {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        },
    },
    "Broken": {
        "Type": "AWS::Lambda::Function",
        "DependsOn": "RegistrationKeysTable",
        "Properties": {
            "Runtime": "python3.11",
            "Handler": "app.handler",
            "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            "Code": {"S3Bucket": "firefly-no-such-bucket", "S3Key": "code.zip"},
        },
    },
}


def project(folder: Path, table: str, broken: bool) -> Path:
    """The registration-keys workflow alone, its table renamed for this test."""
    source = REPO / "stacks/dynamodb-registration-keys/template.yaml"
    template, problems = parse_yaml(source.read_text(encoding="utf-8"), str(source))
    assert problems == []
    template["Resources"]["RegistrationKeysTable"]["Properties"]["TableName"] = table
    if broken:
        template["Resources"].update(FAILS_AFTER_THE_TABLE)
    (folder / "keys.yaml").write_text(json.dumps(template), encoding="utf-8")  # JSON is YAML
    manifest = folder / "workflows.yaml"
    manifest.write_text(
        textwrap.dedent(f"""\
            version: 1
            project: adopt
            stack_name: "{table}-{{workflow}}"
            environments:
              local: {{region: us-east-1, sandbox: true}}
            workflows:
              keys:
                type: cloudformation
                template: keys.yaml
                description: The keys table
                adopt:
                  RegistrationKeysTable: {{TableName: {table}}}
            """),
        encoding="utf-8",
    )
    return manifest


def test_a_rerun_after_a_failed_first_create_imports_the_kept_table(
    firefly: Callable[..., Any],
    aws: Aws,
    sandbox_engine: SandboxInfo,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    use_engine(monkeypatch, sandbox_engine)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    table = f"adopt-{uuid.uuid4().hex[:8]}"
    stack = f"{table}-keys"
    manifest = project(tmp_path, table, broken=True)

    # An adopting stack may hold nothing but what it adopts: the checks would refuse the broken
    # template before CloudFormation could fail it, which is what this test needs.
    failed = firefly("deploy", "--env", "local", "--skip-checks", "--manifest", str(manifest))

    assert failed.code == 1
    cloudformation, dynamodb = aws("cloudformation"), aws("dynamodb")
    [dead] = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    assert dead["StackStatus"] == "ROLLBACK_COMPLETE"
    for index in range(7):
        dynamodb.put_item(TableName=table, Item={"registration_key": {"S": f"key-{index}"}})

    project(tmp_path, table, broken=False)
    report = tmp_path / "report.json"
    rerun = firefly(
        "deploy", "--env", "local", "--manifest", str(manifest), "--report", str(report)
    )

    assert rerun.code == 0, rerun.err
    entry = read_report(report)["workflows"]["keys"]
    assert entry["status"] == "imported"
    assert entry["outputs"]["TableName"] == table
    assert dynamodb.scan(TableName=table, Select="COUNT")["Count"] == 7
    assert dynamodb.describe_table(TableName=table)["Table"]["DeletionProtectionEnabled"] is True
    again = firefly("deploy", "--env", "local", "--manifest", str(manifest))
    assert again.code == 0 and "keys: unchanged" in again.out
