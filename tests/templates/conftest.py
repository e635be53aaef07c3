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


def write_project(
    root: Path,
    manifest: str = MANIFEST,
    lambdas: tuple[str, ...] = ("func",),
    **templates: str | None,
) -> Path:
    """Write a project (the good one unless told otherwise) into `root`; its manifest's path.

    `templates` maps a workflow to its template text; None leaves that template out.
    """
    texts: dict[str, str | None] = {"table": TABLE, "func": FUNC}
    texts.update({name.replace("_", "-"): text for name, text in templates.items()})
    for name, text in texts.items():
        if text is not None:
            path = root / "stacks" / name / "template.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dedent(text), encoding="utf-8")
    for folder in lambdas:
        (root / "lambdas" / folder).mkdir(parents=True, exist_ok=True)
        (root / "lambdas" / folder / "app.py").write_text("", encoding="utf-8")
    path = root / "workflows.yaml"
    path.write_text(dedent(manifest), encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """Write a project with `write_project` in tmp_path and return its loaded manifest."""
    monkeypatch.chdir(tmp_path)

    def build(
        manifest: str = MANIFEST, lambdas: tuple[str, ...] = ("func",), **templates: str | None
    ) -> Manifest:
        return load_manifest(write_project(tmp_path, manifest, lambdas, **templates))

    return build


def lines_of(problems: Iterable[Problem]) -> list[str]:
    """Problems as the CLI prints them, in order."""
    return sorted(str(problem) for problem in problems)
