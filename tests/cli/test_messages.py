"""The exact words of the messages a user reads most: each says what, where and what to do,
once, and each usage mistake is found before any AWS call (nothing listens at the endpoint
these tests name, so a call would end in another error)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from orchestrator.cli.console import print_rows
from orchestrator.cli.summary import summary_line
from orchestrator.engine.results import WorkflowResult, WorkflowStatus
from tests.conftest import MANIFEST, CliResult

Firefly = Callable[..., CliResult]


@pytest.fixture(autouse=True)
def dead_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREFLY_SANDBOX_ENDPOINT", "http://127.0.0.1:9")  # nothing listens
    monkeypatch.setenv("FIREFLY_MANIFEST", str(MANIFEST))


def test_outputs_of_the_tests_workflow_says_it_has_no_stack(firefly: Firefly) -> None:
    result = firefly("outputs", "--env", "local", "run-integration-tests")

    assert result.code == 2
    assert result.error_lines == [
        "error: run-integration-tests: a tests workflow, which has no stack and no outputs; "
        "see 'firefly graph'"
    ]


def test_deleting_only_the_tests_workflow_says_it_has_no_stack(firefly: Firefly) -> None:
    result = firefly("delete", "--env", "local", "--only", "run-integration-tests", "--yes")

    assert result.code == 2
    assert result.error_lines == [
        "error: --only run-integration-tests: a tests workflow, which has no stack to delete; "
        "see 'firefly graph'"
    ]


def test_an_unknown_workflow_still_gets_a_suggestion(firefly: Firefly) -> None:
    result = firefly("outputs", "--env", "local", "dynamodb-device")

    assert result.error_lines == [
        "error: dynamodb-device: no stack workflow of that name "
        "(did you mean 'dynamodb-devices'?); see 'firefly graph'"
    ]


def _protected(write_manifest: Callable[[str], Path]) -> str:
    return str(
        write_manifest("""
            version: 1
            project: guarded
            environments:
              prd: {region: us-east-1, sandbox: true, protected: true}
            workflows:
              table: {type: cloudformation, template: t.yaml, description: The table}
            """)
    )


def test_a_wrong_confirm_names_the_expected_value_before_anything_else(
    firefly: Firefly, write_manifest: Callable[[str], Path]
) -> None:
    # The template is missing too: the confirmation is checked before the template checks.
    result = firefly(
        "delete",
        "--env",
        "prd",
        "--yes",
        "--confirm",
        "dev",
        "--manifest",
        _protected(write_manifest),
    )

    assert result.code == 2
    assert result.error_lines == [
        "error: --confirm dev: this deletes from environment prd; pass --confirm prd "
        "(nothing was deleted)"
    ]


def test_a_protected_environment_without_confirm_is_refused_before_anything_else(
    firefly: Firefly, write_manifest: Callable[[str], Path]
) -> None:
    result = firefly("delete", "--env", "prd", "--yes", "--manifest", _protected(write_manifest))

    assert result.code == 2
    assert result.error_lines == [
        "error: environment prd is protected: pass --confirm prd as well (nothing was deleted)"
    ]


@pytest.mark.parametrize("command", ["deploy", "delete"])
def test_a_report_path_that_cannot_be_written_is_refused_before_the_run(
    command: str, firefly: Firefly, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")

    result = firefly(command, "--env", "local", "--report", str(blocker / "report.json"))

    assert result.code == 2
    assert result.error_lines == [
        f"error: Invalid value for '--report': {blocker} is a file, so "
        f"{blocker / 'report.json'} cannot be created; see 'firefly {command} --help'"
    ]


def test_a_report_path_that_is_a_folder_is_refused(firefly: Firefly, tmp_path: Path) -> None:
    result = firefly("deploy", "--env", "local", "--report", str(tmp_path))

    assert result.error_lines == [
        f"error: Invalid value for '--report': {tmp_path} is a folder: name a file in it; "
        "see 'firefly deploy --help'"
    ]


@pytest.mark.parametrize("command", ["deploy", "plan", "delete"])
def test_no_deps_without_only_is_refused(command: str, firefly: Firefly) -> None:
    result = firefly(command, "--env", "local", "--no-deps")

    assert result.code == 2
    assert result.error_lines == [
        "error: --no-deps leaves out what the --only workflows need, and none was given: "
        "add --only W, or drop --no-deps"
    ]


def test_an_option_range_error_ends_cleanly(firefly: Firefly) -> None:
    result = firefly("deploy", "--env", "local", "--concurrency", "0")

    assert result.code == 2
    assert result.error_lines == [
        "error: Invalid value for '--concurrency' / '-j': 0 is not in the range x>=1; "
        "see 'firefly deploy --help'"
    ]


@pytest.mark.parametrize(
    ("result", "line"),
    [
        (
            WorkflowResult("func", WorkflowStatus.DEPLOYED, "p-func-dev", 12.34),
            "func: deployed in 12.3 s (stack p-func-dev)",
        ),
        (
            WorkflowResult("table", WorkflowStatus.UNCHANGED, "p-table-dev", 0.0),
            "table: unchanged (stack p-table-dev)",
        ),
        (
            WorkflowResult("suite", WorkflowStatus.PASSED, None, 8.06),
            "suite: passed in 8.1 s",
        ),
        (
            WorkflowResult("func", WorkflowStatus.SKIPPED, error="needs table, which failed"),
            "func: skipped: needs table, which failed",
        ),
        (
            WorkflowResult("table", WorkflowStatus.FAILED, "p-table-dev", 3.2, error="boom"),
            "table: failed after 3.2 s (stack p-table-dev): boom",
        ),
    ],
)
def test_a_summary_line_says_each_thing_once(result: WorkflowResult, line: str) -> None:
    assert summary_line(result.workflow, result) == line


def test_rows_outside_a_terminal_are_whole_and_aligned() -> None:
    out = io.StringIO()
    narrow = Console(file=out, width=30, force_terminal=False)
    rows = [
        (
            "func-api-firmware-status-patch",
            "firefly-func-api-firmware-status-patch-local",
            "CREATE_COMPLETE",
        ),
        ("x", "y", "z"),
    ]

    print_rows(narrow, ("workflow", "stack", "status"), rows)

    assert out.getvalue().splitlines() == [
        "workflow                        stack                                         status",
        "func-api-firmware-status-patch  firefly-func-api-firmware-status-patch-local  "
        "CREATE_COMPLETE",
        "x                               y                                             z",
    ]


def test_every_option_has_help_and_none_loses_its_words(firefly: Firefly) -> None:
    from typer.main import get_command

    from orchestrator.cli.app import app

    missing = []
    for name, command in get_command(app).commands.items():  # type: ignore[attr-defined]
        commands = getattr(command, "commands", None) or {name: command}
        for sub, leaf in commands.items():
            missing += [
                f"{sub} {p.opts[0]}"
                for p in leaf.params
                if p.param_type_name == "option" and not p.hidden and not p.help
            ]
    assert missing == []
    docs_help = firefly("docs", "--help").out
    assert "Folder for the pages (default: docs/workflows beside the manifest)." in " ".join(
        docs_help.split()
    ).replace("│ ", "")
