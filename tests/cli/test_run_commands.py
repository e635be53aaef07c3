"""deploy, delete, plan, status, outputs and sandbox through the CLI: their contracts and the
mistakes a user can make, each one line and the documented exit code."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from orchestrator.sandbox.lifecycle import SandboxInfo
from tests.conftest import MANIFEST, CliResult, free_port
from tests.sandbox_access import use_engine

Firefly = Callable[..., CliResult]


@pytest.fixture
def local(sandbox_engine: SandboxInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    use_engine(monkeypatch, sandbox_engine)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def test_an_unknown_only_fails_before_any_aws_call(
    firefly: Firefly, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIREFLY_SANDBOX_ENDPOINT", "http://127.0.0.1:9")  # nothing listens
    result = firefly("deploy", "--env", "local", "--only", "cognitoo", "--manifest", str(MANIFEST))

    assert result.code == 2
    assert result.error_lines == [
        "error: --only cognitoo: no such workflow in the deploy graph "
        "(did you mean 'cognito'?); see 'firefly graph'"
    ]


def test_an_undeclared_env_is_a_usage_error(firefly: Firefly) -> None:
    result = firefly("deploy", "--env", "qa", "--manifest", str(MANIFEST))

    assert result.code == 2
    assert len(result.error_lines) == 1


def test_a_sandbox_endpoint_must_be_local(
    firefly: Firefly, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIREFLY_SANDBOX_ENDPOINT", "http://10.0.0.5:4566")
    result = firefly("status", "--env", "local", "--manifest", str(MANIFEST))

    assert result.code == 2
    assert "runs on this machine only" in result.err


@pytest.mark.usefixtures("local")
def test_deploy_reports_json_and_outputs_read_it_back(firefly: Firefly, tmp_path: Path) -> None:
    report = tmp_path / "out" / "report.json"
    result = firefly(
        "deploy",
        "--env",
        "local",
        "--only",
        "cognito",
        "--report",
        str(report),
        "--manifest",
        str(MANIFEST),
    )

    assert result.code == 0, result.err
    data = json.loads(report.read_text())
    assert data["env"] == "local" and data["action"] == "deploy"
    assert data["workflows"]["cognito"]["status"] in {"deployed", "unchanged"}
    outputs = firefly("outputs", "--env", "local", "cognito", "--json", "--manifest", str(MANIFEST))
    assert json.loads(outputs.out) == data["workflows"]["cognito"]["outputs"]
    status = firefly("status", "--env", "local", "--manifest", str(MANIFEST))
    assert "firefly-cognito" in status.out and "COMPLETE" in status.out


@pytest.mark.usefixtures("local")
def test_outputs_of_a_workflow_without_stack_is_a_usage_error(firefly: Firefly) -> None:
    result = firefly(
        "outputs", "--env", "local", "run-integration-tests", "--manifest", str(MANIFEST)
    )

    assert result.code == 2
    assert "a tests workflow, which has no stack and no outputs" in result.err


@pytest.mark.usefixtures("local")
def test_plan_changes_nothing(firefly: Firefly) -> None:
    before = firefly("status", "--env", "local", "--manifest", str(MANIFEST)).out
    result = firefly("plan", "--env", "local", "--manifest", str(MANIFEST))

    assert result.code == 0, result.err
    assert result.out.startswith("level 1")
    assert "run-integration-tests: run tests" in result.out
    assert firefly("status", "--env", "local", "--manifest", str(MANIFEST)).out == before


@pytest.mark.usefixtures("local")
def test_plan_says_when_a_change_replaces_a_resource(
    firefly: Firefly, write_manifest: Callable[[str], Path]
) -> None:
    path = write_manifest("""
        version: 1
        project: rekey
        environments:
          local: {region: us-east-1, sandbox: true}
        workflows:
          table: {type: cloudformation, template: t.yaml, description: The table}
        """)
    template = path.parent / "t.yaml"
    table = (
        "Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n    DeletionPolicy: Delete\n"
        "    UpdateReplacePolicy: Delete\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n"
        "      AttributeDefinitions: [{{AttributeName: {key}, AttributeType: S}}]\n"
        "      KeySchema: [{{AttributeName: {key}, KeyType: HASH}}]\n"
    )
    template.write_text(table.format(key="pk"))
    assert firefly("deploy", "--env", "local", "--manifest", str(path)).code == 0
    template.write_text(table.format(key="id"))

    result = firefly("plan", "--env", "local", "--manifest", str(path))

    assert result.code == 0, result.err
    assert "      Modify Table (AWS::DynamoDB::Table) (replacement)" in result.out.splitlines()


@pytest.mark.usefixtures("local")
def test_delete_without_yes_outside_a_terminal_deletes_nothing(firefly: Firefly) -> None:
    assert (
        firefly(
            "deploy", "--env", "local", "--only", "dynamodb-devices", "--manifest", str(MANIFEST)
        ).code
        == 0
    )
    result = firefly(
        "delete", "--env", "local", "--only", "dynamodb-devices", "--manifest", str(MANIFEST)
    )

    assert result.code == 2
    assert result.error_lines == [
        "error: deleting needs a confirmation: pass --yes (nothing was deleted)"
    ]
    still_there = firefly(
        "outputs", "--env", "local", "dynamodb-devices", "--manifest", str(MANIFEST)
    )
    assert still_there.code == 0, still_there.err


@pytest.mark.usefixtures("local")
def test_a_protected_environment_needs_its_name_confirmed(
    firefly: Firefly, write_manifest: Callable[[str], Path]
) -> None:
    path = write_manifest("""
        version: 1
        project: guarded
        environments:
          local: {region: us-east-1, sandbox: true, protected: true}
        workflows:
          table: {type: cloudformation, template: t.yaml, description: The table}
        """)
    (path.parent / "t.yaml").write_text(
        "Resources:\n  P:\n    Type: AWS::SSM::Parameter\n    Properties:\n"
        "      Name: /guarded/p\n      Type: String\n      Value: x\n"
    )
    assert firefly("deploy", "--env", "local", "--manifest", str(path)).code == 0

    refused = firefly("delete", "--env", "local", "--yes", "--manifest", str(path))
    assert refused.code == 2
    assert refused.error_lines == [
        "error: environment local is protected: pass --confirm local as well (nothing was deleted)"
    ]
    done = firefly(
        "delete", "--env", "local", "--yes", "--confirm", "local", "--manifest", str(path)
    )
    assert done.code == 0, done.err
    assert "table: deleted" in done.out


@pytest.mark.slow  # starts and stops a real engine
def test_sandbox_up_status_down(
    firefly: Firefly, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FIREFLY_STATE_DIR", str(tmp_path / "state"))
    port = str(free_port())
    try:
        up = firefly("sandbox", "up", "--port", port)
        assert up.code == 0, up.err
        assert up.out.startswith(f"started a new, empty sandbox: http://127.0.0.1:{port} ")
        status = firefly("sandbox", "status")
        assert status.code == 0 and "answering" in status.out
    finally:
        down = firefly("sandbox", "down")
    assert down.out.strip() == "sandbox stopped"
    after = firefly("sandbox", "status")
    assert after.code == 1
    assert after.error_lines == [
        "error: the sandbox is not running; start it with 'firefly sandbox up'"
    ]


def test_no_rollback_is_refused_on_a_protected_env_before_any_aws_call(
    firefly: Firefly, monkeypatch: pytest.MonkeyPatch, write_manifest: Callable[[str], Path]
) -> None:
    monkeypatch.setenv("FIREFLY_SANDBOX_ENDPOINT", "http://127.0.0.1:9")  # nothing listens
    text = MANIFEST.read_text(encoding="utf-8").replace(
        "    sandbox: true\n", "    sandbox: true\n    protected: true\n", 1
    )
    manifest = write_manifest(text)
    for name in ("stacks", "lambdas"):
        (manifest.parent / name).symlink_to(MANIFEST.parent / name)

    result = firefly("deploy", "--env", "local", "--no-rollback", "--manifest", str(manifest))

    assert result.code == 2
    assert result.error_lines == [
        "error: --no-rollback is refused on environment local: it is protected in the "
        "manifest, where a failed deploy must roll back; deploy without --no-rollback"
    ]
