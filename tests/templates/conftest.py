"""Small projects (a manifest, its templates, its lambdas/ folders) built in tmp_path."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from orchestrator.errors import Problem
from orchestrator.manifest import Manifest, load_manifest

MANIFEST = """
version: 1
project: demo
environments:
  local:
    region: us-east-1
    sandbox: true
workflows:
  table:
    type: cloudformation
    template: stacks/table/template.yaml
    description: The table
    parameters:
      TableName: demo-table
  func:
    type: sam
    template: stacks/func/template.yaml
    description: The function
    parameters:
      TableName: {output: table.TableName}
"""

TABLE = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  TableName:
    Type: String
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Delete
    UpdateReplacePolicy: Delete
    Properties:
      TableName: !Ref TableName
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
      KeySchema:
        - AttributeName: id
          KeyType: HASH
Outputs:
  TableName:
    Value: !Ref Table
"""

FUNC = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  TableName:
    Type: String
Resources:
  Function:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ../../lambdas/func
      Handler: app.lambda_handler
      Runtime: python3.11
      Environment:
        Variables:
          TABLE_NAME: !Ref TableName
"""

Project = Callable[..., Manifest]


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """Write a project (the good one unless told otherwise) and return its loaded manifest.

    `templates` maps a workflow to its template text; None leaves that template out.
    """
    monkeypatch.chdir(tmp_path)

    def build(
        manifest: str = MANIFEST, lambdas: tuple[str, ...] = ("func",), **templates: str | None
    ) -> Manifest:
        texts: dict[str, str | None] = {"table": TABLE, "func": FUNC}
        texts.update({name.replace("_", "-"): text for name, text in templates.items()})
        for name, text in texts.items():
            if text is not None:
                path = tmp_path / "stacks" / name / "template.yaml"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(dedent(text), encoding="utf-8")
        for folder in lambdas:
            (tmp_path / "lambdas" / folder).mkdir(parents=True, exist_ok=True)
            (tmp_path / "lambdas" / folder / "app.py").write_text("", encoding="utf-8")
        path = tmp_path / "workflows.yaml"
        path.write_text(dedent(manifest), encoding="utf-8")
        return load_manifest(path)

    return build


def lines_of(problems: Iterable[Problem]) -> list[str]:
    """Problems as the CLI prints them, in order."""
    return sorted(str(problem) for problem in problems)
