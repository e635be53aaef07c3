"""validate, graph and docs on the repository's manifest and on small ones."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

import orchestrator
from orchestrator.views import mermaid_id, mermaid_text
from tests.conftest import MANIFEST, REPO, CliResult


@pytest.mark.slow  # cfn-lint on every template: about 16 s with a cold lint cache
def test_validate_reports_the_repository_manifest_valid(
    firefly: Callable[..., CliResult],
) -> None:
    result = firefly("validate", "--manifest", str(MANIFEST))

    assert result.code == 0, result.err
    assert "valid (23 workflows, 22 stacks, 4 environments)" in result.out


def test_validate_env_names_every_unset_secret_without_values(
    firefly: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("FIRMWARE_PRIVATE_BUCKET_NAME", "FIRMWARE_PUBLIC_BUCKET_NAME"):
        monkeypatch.delenv(name, raising=False)
    result = firefly("validate", "--manifest", str(MANIFEST), "--env", "dev")

    assert result.code == 2
    assert result.error_lines
    assert all("is not set for environment dev" in line for line in result.error_lines)
    assert any("FIRMWARE_PUBLIC_BUCKET_NAME" in line for line in result.error_lines)


def test_validate_env_passes_once_the_secrets_are_exported(
    firefly: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FIRMWARE_PRIVATE_BUCKET_NAME", "private-bucket")
    monkeypatch.setenv("FIRMWARE_PUBLIC_BUCKET_NAME", "public-bucket")
    result = firefly("validate", "--manifest", str(MANIFEST), "--env", "dev")

    assert result.code == 0, result.err
    assert "private-bucket" not in result.out + result.err


def test_graph_json_follows_the_contract(firefly: Callable[..., CliResult]) -> None:
    result = firefly("graph", "--format", "json", "--manifest", str(MANIFEST))
    data = json.loads(result.out)

    assert set(data) == {"deploy", "delete"}
    deploy = data["deploy"]
    assert len(deploy["nodes"]) == 23
    assert sorted(n for level in deploy["levels"] for n in level) == sorted(deploy["nodes"])
    position = {node: index for index, level in enumerate(deploy["levels"]) for node in level}
    assert all(position[before] < position[after] for before, after in deploy["edges"])
    assert "run-integration-tests" not in data["delete"]["nodes"]


@pytest.mark.parametrize(
    ("action", "edge"),
    [
        ("deploy", "after api-gateway: API Gateway ID"),
        ("delete", "after func-api-registration-keys-post: Lambda IAM permissions"),
    ],
)
def test_graph_tree_shows_levels_and_reasons(
    action: str, edge: str, firefly: Callable[..., CliResult]
) -> None:
    result = firefly("graph", "--action", action, "--manifest", str(MANIFEST))

    assert result.code == 0
    assert result.out.startswith(f"{action} order: ")
    assert "level 1" in result.out
    assert edge in result.out


def test_graph_mermaid_and_dot_name_every_edge(firefly: Callable[..., CliResult]) -> None:
    mermaid = firefly("graph", "--format", "mermaid", "--manifest", str(MANIFEST)).out
    dot = firefly("graph", "--format", "dot", "--manifest", str(MANIFEST)).out

    assert mermaid.startswith("flowchart LR\n")
    reasons = json.loads(firefly("graph", "--format", "json", "--manifest", str(MANIFEST)).out)
    needs = reasons["deploy"]["needs"]
    for before, after in reasons["deploy"]["edges"]:
        label = mermaid_text(needs[after][before])
        line = f'    {mermaid_id(before)} -->|"{label}"| {mermaid_id(after)}'
        assert line in mermaid.splitlines(), line
    assert dot.startswith("digraph deploy {")
    assert '"api-gateway" -> "func-api-firmware-status-patch"' in dot


def test_mermaid_edge_labels_escape_what_mermaid_reads_as_syntax(
    write_manifest: Callable[[str], Path], firefly: Callable[..., CliResult]
) -> None:
    path = write_manifest("""
        version: 1
        project: demo
        environments:
          local: {region: us-east-1, sandbox: true}
        workflows:
          table: {type: cloudformation, template: t.yaml, description: The table}
          func:
            type: cloudformation
            template: f.yaml
            description: The function
            deploy:
              needs:
                table: 'the "table" #1 | <first>'
        """)
    for name in ("t.yaml", "f.yaml"):
        (path.parent / name).write_text("Resources: {}\n")

    result = firefly("graph", "--format", "mermaid", "--manifest", str(path))

    assert result.code == 0, result.err
    assert (
        '    w_table -->|"the #quot;table#quot; #35;1 #124; #lt;first#gt;"| w_func'
        in result.out.splitlines()
    )


def test_markup_in_a_description_is_printed_as_text(
    write_manifest: Callable[[str], Path],
    firefly: Callable[..., CliResult],
) -> None:
    path = write_manifest("""
        version: 1
        project: demo
        environments:
          local: {region: us-east-1, sandbox: true}
        workflows:
          table: {type: cloudformation, template: t.yaml, description: "[bold]x[/bold]"}
          func:
            type: sam
            template: f.yaml
            description: The function
            deploy:
              needs:
                table: "[red]needs[/red] the table"
        """)
    result = firefly("graph", "--manifest", str(path))

    assert "[red]needs[/red] the table" in result.out


def test_docs_in_the_repository_are_current(firefly: Callable[..., CliResult]) -> None:
    result = firefly("docs", "--check", "--manifest", str(MANIFEST))

    assert result.code == 0, result.err + " -- run 'firefly docs' and commit"


def test_docs_writes_pages_removes_stale_ones_and_check_notices_drift(
    firefly: Callable[..., CliResult],
    tmp_path: Path,
) -> None:
    out = tmp_path / "pages"
    out.mkdir()
    (out / "gone-workflow.md").write_text("old", encoding="utf-8")

    assert firefly("docs", "--manifest", str(MANIFEST), "--out", str(out)).code == 0
    assert not (out / "gone-workflow.md").exists()
    assert (out / "func-api-firmware-status-patch.md").is_file()
    assert firefly("docs", "--check", "--manifest", str(MANIFEST), "--out", str(out)).code == 0

    (out / "cognito.md").write_text("edited by hand", encoding="utf-8")
    result = firefly("docs", "--check", "--manifest", str(MANIFEST), "--out", str(out))
    assert result.code == 1
    assert result.error_lines == [
        f"error: {os.path.relpath(out)}: 1 page(s) out of date "
        "(cognito.md); run 'firefly docs' and commit the result"
    ]


def test_readme_quick_start_is_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line for line in block.strip().splitlines() if not line.startswith("#")]

    assert len(commands) == 2
    assert commands[0].startswith("pip install -e . && firefly ")
    assert commands[1] == "pip install -e '.[test]' && pytest"


def test_version_is_the_installed_package_version(firefly: Callable[..., CliResult]) -> None:
    from importlib.metadata import version

    result = firefly("--version")

    assert result.code == 0, result.err
    assert result.out == f"firefly {version('firefly-orchestrator')}\n"
    assert version("firefly-orchestrator") == orchestrator.__version__
