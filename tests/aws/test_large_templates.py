"""Templates over CloudFormation's 51,200-byte TemplateBody limit go through S3 (TemplateURL)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from orchestrator.aws.cloudformation import TEMPLATE_BODY_LIMIT, CloudFormationStacks
from orchestrator.engine.ports import ChangeSetRequest
from orchestrator.errors import OrchestratorError
from orchestrator.sandbox.lifecycle import SandboxInfo
from tests.conftest import CliResult
from tests.sandbox_access import use_engine


class MemoryStore:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def exists(self, key: str) -> bool:
        return key in self.objects

    def upload(self, source: bytes, key: str) -> None:
        self.objects[key] = source

    def url(self, key: str) -> str:
        return f"https://s3.amazonaws.com/artifacts/{key}"


def request(body: str) -> ChangeSetRequest:
    return ChangeSetRequest("big", "cs", "CREATE", body, {}, {}, ())


def client() -> Any:
    return boto3.session.Session(
        aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1"
    ).client("cloudformation")


def big_body() -> str:
    return '{"Description": "' + "x" * TEMPLATE_BODY_LIMIT + '", "Resources": {}}'


def test_a_large_template_is_uploaded_once_and_passed_by_url() -> None:
    cloudformation, store = client(), MemoryStore()
    stubber = Stubber(cloudformation)
    for _ in range(2):
        stubber.add_response(
            "create_change_set",
            {"Id": "cs-id"},
            {
                "StackName": "big",
                "ChangeSetName": "cs",
                "ChangeSetType": "CREATE",
                "TemplateURL": ANY,
                "Parameters": [],
                "Tags": [],
                "Capabilities": [],
            },
        )
    stacks = CloudFormationStacks(cloudformation, large_templates=store)
    with stubber:
        stacks.create_change_set(request(big_body()))
        stacks.create_change_set(request(big_body()))

    assert len(store.objects) == 1
    assert next(iter(store.objects.values())) == big_body().encode()


def test_a_small_template_stays_in_the_body() -> None:
    cloudformation, store = client(), MemoryStore()
    stubber = Stubber(cloudformation)
    stubber.add_response(
        "create_change_set",
        {"Id": "cs-id"},
        {
            "StackName": "big",
            "ChangeSetName": "cs",
            "ChangeSetType": "CREATE",
            "TemplateBody": "{}",
            "Parameters": [],
            "Tags": [],
            "Capabilities": [],
        },
    )
    with stubber:
        CloudFormationStacks(cloudformation, large_templates=store).create_change_set(request("{}"))

    assert store.objects == {}


def test_without_a_store_a_large_template_is_a_clear_error() -> None:
    with pytest.raises(OrchestratorError, match="over CloudFormation's 51200"):
        CloudFormationStacks(client()).create_change_set(request(big_body()))


def test_a_large_template_deploys_on_the_sandbox(
    sandbox_engine: SandboxInfo,
    monkeypatch: pytest.MonkeyPatch,
    write_manifest: Callable[[str], Path],
    firefly: Callable[..., CliResult],
) -> None:
    use_engine(monkeypatch, sandbox_engine)
    path = write_manifest("""
        version: 1
        project: large
        environments:
          local: {region: us-east-1, sandbox: true}
        workflows:
          big: {type: cloudformation, template: t.yaml, description: A large template}
        """)
    padding = "x" * (TEMPLATE_BODY_LIMIT + 100)
    (path.parent / "t.yaml").write_text(
        f"Metadata:\n  Padding: {padding}\nResources:\n  P:\n    Type: AWS::SSM::Parameter\n"
        "    Properties:\n      Name: /large/p\n      Type: String\n      Value: x\n"
    )

    result = firefly("deploy", "--env", "local", "--manifest", str(path))

    assert result.code == 0, result.out + result.err
    assert "big: deployed" in result.out
