"""Under GitHub Actions: masks first, one group per workflow, ::error:: for a failure, the step
summary and step outputs, and no secret value anywhere else."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from orchestrator.sandbox.lifecycle import SandboxInfo
from tests.conftest import MANIFEST, CliResult
from tests.sandbox_access import use_engine

Firefly = Callable[..., CliResult]
SECRETS = ("firefly-firmware-private-local", "firefly-firmware-public-local")


@pytest.fixture
def github(
    sandbox_engine: SandboxInfo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> dict[str, Path]:
    files = {"summary": tmp_path / "summary.md", "output": tmp_path / "output.txt"}
    use_engine(monkeypatch, sandbox_engine)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(files["summary"]))
    monkeypatch.setenv("GITHUB_OUTPUT", str(files["output"]))
    return files


def test_a_deploy_speaks_github_and_never_prints_a_secret(
    firefly: Firefly, github: dict[str, Path], tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    result = firefly(
        "deploy",
        "--env",
        "local",
        "--only",
        "s3-firmware",
        "--report",
        str(report),
        "--manifest",
        str(MANIFEST),
    )

    assert result.code == 0, result.err
    lines = result.err.splitlines()
    masks = [line for line in lines if line.startswith("::add-mask::")]
    assert sorted(masks) == sorted(f"::add-mask::{secret}" for secret in SECRETS)
    assert lines[: len(masks)] == masks  # before anything else
    assert any(line.startswith("::group::s3-firmware: ") for line in lines)
    assert "::endgroup::" in lines
    summary = github["summary"].read_text()
    assert "| s3-firmware |" in summary and "```mermaid" in summary
    # the run's timeline comes right after the results table, before the graph
    table_end = summary.index("| s3-firmware |")
    gantt, graph = summary.index("```mermaid\ngantt\n"), summary.index("```mermaid\nflowchart")
    assert table_end < gantt < graph
    assert "    s3-firmware " in summary[gantt:graph] and ":crit, done," in summary[gantt:graph]
    outputs = github["output"].read_text()
    assert "<<firefly_" in outputs  # the stack's outputs, as multi-line-safe step outputs
    everything = "\n".join(
        [result.out, *(x for x in lines if x not in masks), summary, outputs, report.read_text()]
    )
    for secret in SECRETS:
        assert secret not in everything


def test_a_failure_is_a_github_error_annotation(
    firefly: Firefly, github: dict[str, Path], write_manifest: Callable[[str], Path]
) -> None:
    path = write_manifest("""
        version: 1
        project: annotated
        environments:
          local: {region: us-east-1, sandbox: true}
        workflows:
          table: {type: cloudformation, template: t.yaml, description: The table}
        """)
    (path.parent / "t.yaml").write_text(
        "Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
        "      BillingMode: PAY_PER_REQUEST\n"
    )  # no key schema: CREATE_FAILED
    # cfn-lint would refuse the template first: the failure under test is CloudFormation's.
    result = firefly("deploy", "--env", "local", "--skip-checks", "--manifest", str(path))

    assert result.code == 1
    errors = [line for line in result.err.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1
    assert errors[0].startswith(
        "::error title=firefly table::table: stack annotated-table "
        "ended ROLLBACK_COMPLETE: Table (AWS::DynamoDB::Table) "
        "CREATE_FAILED"
    )
    summary = github["summary"].read_text()
    assert "| table | failed |" in summary
    assert "    table (failed) " in summary and ":crit, active, " in summary
