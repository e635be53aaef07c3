"""Every mistake in tests/manifests/broken/ ends as one line naming file:line and the problem.

Each file's first line says what firefly must print: `# expect: <line>: <field>: <message>`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult

BROKEN = Path(__file__).resolve().parents[1] / "manifests" / "broken"
CASES = sorted(BROKEN.glob("*.yaml"))


def expected_line(path: Path) -> str:
    header = path.read_bytes().split(b"\n", 1)[0].decode()
    assert header.startswith("# expect: "), f"{path.name} lacks its '# expect:' line"
    expectation = header.removeprefix("# expect: ")
    separator = ":" if expectation[:1].isdigit() else ": "
    return f"error: {path.name}{separator}{expectation}"


def test_the_corpus_covers_at_least_25_mistakes() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_a_broken_manifest_is_one_clear_line_and_exit_2(
    path: Path, firefly: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(BROKEN)
    result = firefly("graph", "--format", "json", "--manifest", path.name)

    assert result.code == 2
    assert result.out == ""
    assert result.err.splitlines() == [expected_line(path)]


def test_several_mistakes_are_all_reported(
    write_manifest: Callable[[str], Path],
    firefly: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_manifest("""
        version: 1
        project: demo
        environments:
          dev: {region: us-east-1, account: 111111111111}
        workflows:
          table:
            type: cloudformation
            template: stacks/table.yaml
            descripton: The table
          func:
            type: sam
            template: stacks/func.yaml
            description: The function
            deploy:
              needs:
                tabel: Table first
        """)
    monkeypatch.chdir(path.parent)
    result = firefly("graph", "--format", "json")

    assert result.code == 2
    assert result.error_lines == [
        "error: workflows.yaml:4: environments.dev.account: quote the account id "
        '("012345678901"): unquoted it is read as a number',
        "error: workflows.yaml:9: workflows.table.descripton: unknown key "
        "(did you mean 'description'?)",
        "error: workflows.yaml:16: workflows.func.deploy.needs.tabel: unknown workflow 'tabel' "
        "(did you mean 'table'?)",
    ]


def test_an_undeclared_environment_lists_the_declared_ones(
    firefly: Callable[..., CliResult],
) -> None:
    from tests.conftest import MANIFEST

    result = firefly("validate", "--manifest", str(MANIFEST), "--env", "qa")

    assert result.code == 2
    assert len(result.error_lines) == 1
    assert "'qa'" in result.err
    for declared in ("local", "dev", "stg", "prd"):
        assert declared in result.err


def test_secret_values_never_appear_in_problems(
    write_manifest: Callable[[str], Path],
    firefly: Callable[..., CliResult],
) -> None:
    path = write_manifest("""
        version: 1
        project: demo
        environments:
          dev:
            region: us-east-1
            account: "111111111111"
            secrets: {API_TOKEN: hunter2-very-secret, OTHER: [not, text]}
        workflows:
          table: {type: cloudformation, template: t.yaml, description: d}
        """)
    result = firefly("validate", "--manifest", str(path))

    assert result.code == 2
    assert "hunter2" not in result.err + result.out
