"""The error funnel: every way a user can go wrong ends as one line and the documented code."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest

from tests.conftest import MANIFEST, REPO, CliResult


def test_no_arguments_prints_help_and_succeeds(firefly: Callable[..., CliResult]) -> None:
    result = firefly()

    assert result.code == 0
    assert "Usage: firefly" in result.out
    for command in ("validate", "graph", "docs"):
        assert command in result.out


@pytest.mark.parametrize(
    "argv",
    [
        ["nope"],
        ["graph", "--format", "svg"],
        ["graph", "--action", "destroy"],
        ["graph", "--manifest"],
        ["validate", "--colour"],
    ],
)
def test_usage_mistakes_are_one_line_and_exit_2(
    argv: list[str], firefly: Callable[..., CliResult]
) -> None:
    result = firefly(*argv)

    assert result.code == 2
    assert len(result.err.splitlines()) == 1
    assert result.err.startswith("error: ")


def test_a_usage_mistake_names_the_help_to_read(firefly: Callable[..., CliResult]) -> None:
    result = firefly("graph", "--format", "svg")

    assert "see 'firefly graph --help'" in result.err


def test_a_missing_manifest_says_how_to_point_at_one(
    firefly: Callable[..., CliResult],
    tmp_path: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(str(tmp_path))
    result = firefly("graph")

    assert result.code == 2
    assert result.error_lines == [
        "error: workflows.yaml: manifest not found; pass --manifest PATH or set FIREFLY_MANIFEST"
    ]


def test_the_manifest_can_come_from_the_environment(
    firefly: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: pytest.TempPathFactory,
) -> None:
    monkeypatch.chdir(str(tmp_path))
    monkeypatch.setenv("FIREFLY_MANIFEST", str(MANIFEST))

    assert firefly("graph", "--format", "json").code == 0


def test_a_bug_is_one_line_exit_1_and_no_traceback(
    firefly: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    import orchestrator.validation

    def broken(*_: object, **__: object) -> None:
        raise KeyError("surprise")

    monkeypatch.setattr(orchestrator.validation, "load_checked", broken)
    monkeypatch.delenv("FIREFLY_DEBUG", raising=False)
    result = firefly("graph", "--manifest", str(MANIFEST))

    assert result.code == 1
    assert result.err.splitlines() == [
        "error: internal error: KeyError: 'surprise' (rerun with FIREFLY_DEBUG=1 for the "
        "traceback and report it)"
    ]


def test_firefly_debug_shows_the_traceback(
    firefly: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    import orchestrator.validation

    def broken(*_: object, **__: object) -> None:
        raise KeyError("surprise")

    monkeypatch.setattr(orchestrator.validation, "load_checked", broken)
    monkeypatch.setenv("FIREFLY_DEBUG", "1")
    with pytest.raises(KeyError):
        firefly("graph", "--manifest", str(MANIFEST))


def test_the_installed_script_never_prints_a_traceback(tmp_path: pytest.TempPathFactory) -> None:
    broken = REPO / "tests" / "manifests" / "broken" / "deploy-cycle.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "orchestrator", "graph", "--manifest", str(broken)],
        capture_output=True,
        text=True,
        cwd=str(tmp_path),
        check=False,
    )

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "deploy dependency cycle: table -> func -> table" in result.stderr


COMMANDS = [
    "validate",
    "graph",
    "docs",
    "deploy",
    "delete",
    "plan",
    "status",
    "outputs",
    "unlock",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_help_has_an_example(command: str, firefly: Callable[..., CliResult]) -> None:
    result = firefly(command, "--help")

    assert result.code == 0
    assert f"Example: firefly {command}" in result.out
    assert "--manifest" in result.out


@pytest.mark.parametrize(
    "group", [["sandbox", "up"], ["sandbox", "status"], ["sandbox", "down"], ["ci", "generate"]]
)
def test_every_subcommand_help_has_an_example(
    group: list[str], firefly: Callable[..., CliResult]
) -> None:
    result = firefly(*group, "--help")

    assert result.code == 0
    assert "Example: " in result.out and f"firefly {group[0]}" in result.out


def test_the_process_ends_without_collecting_what_it_leaves(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every command's objects are frozen out of the collections the interpreter makes as it
    ends (a quarter of a second of a deploy's wall time, for nothing) once it has its code."""
    from orchestrator import cli

    frozen: list[int] = []
    monkeypatch.setattr(cli.gc, "freeze", lambda: frozen.append(1))

    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])

    assert (exited.value.code, len(frozen)) == (0, 1)
    assert "Usage: firefly" in capsys.readouterr().out
