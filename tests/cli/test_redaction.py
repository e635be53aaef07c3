"""Redaction at the CLI: a short secret stops every environment command before any AWS call,
and progress lines (stack events, failure reasons) pass through the run's redactor."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from orchestrator.cli.progress import GitHubObserver, PlainObserver, RedactingObserver
from orchestrator.engine.redaction import Redactor
from orchestrator.engine.results import WorkflowResult, WorkflowStatus
from tests.conftest import CliResult

SECRET = "vault-bucket-42"
MANIFEST = """
    version: 1
    project: demo
    environments:
      local: {region: us-east-1, sandbox: true, secrets: {TOKEN: tiny}}
    workflows:
      func:
        type: cloudformation
        template: f.yaml
        description: The function
        parameters: {Token: {secret: TOKEN}}
    """
TEMPLATE = "Parameters:\n  Token: {Type: String, NoEcho: true}\nResources: {}\n"


@pytest.mark.parametrize(
    "command",
    [
        ("deploy",),
        ("delete", "--yes"),
        ("plan",),
        ("status",),
        ("outputs", "func"),
        ("validate",),
    ],
)
def test_a_short_secret_is_refused_before_any_aws_call(
    command: tuple[str, ...],
    firefly: Callable[..., CliResult],
    write_manifest: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FIREFLY_SANDBOX_ENDPOINT", "http://127.0.0.1:9")  # nothing listens
    path = write_manifest(MANIFEST)
    (path.parent / "f.yaml").write_text(TEMPLATE)

    monkeypatch.chdir(path.parent)

    result = firefly(*command, "--env", "local", "--manifest", "workflows.yaml")

    assert result.code == 2
    assert result.error_lines == [
        "error: secret TOKEN of environment local (from workflows.yaml environments.local."
        "secrets) is shorter than 8 characters, too short to be masked in firefly's output; "
        "give it a value of at least 8 characters"
    ]


def failure() -> WorkflowResult:
    return WorkflowResult(
        "w", WorkflowStatus.FAILED, "s", error=f"Bucket CREATE_FAILED: {SECRET} already exists"
    )


@pytest.mark.parametrize("plain", [True, False])
def test_progress_lines_and_failures_are_redacted(plain: bool) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, markup=False, highlight=False, width=200)
    redactor = Redactor([SECRET])
    shown = PlainObserver(console) if plain else GitHubObserver(console, redactor.values)
    observer = RedactingObserver(shown, redactor)

    observer.started("w")
    observer.phase("w", f"Bucket CREATE_FAILED: Bucket {SECRET} already exists")
    observer.finished(failure())

    lines = [line for line in buffer.getvalue().splitlines() if not line.startswith("::add-mask")]
    assert lines and not any(SECRET in line for line in lines)
    assert any("Bucket *** already exists" in line for line in lines)


def test_a_secret_parameter_without_noecho_is_refused(
    firefly: Callable[..., CliResult],
    write_manifest: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_manifest(MANIFEST.replace("tiny", "long-enough-1"))
    (path.parent / "f.yaml").write_text("Parameters:\n  Token: {Type: String}\nResources: {}\n")
    monkeypatch.chdir(path.parent)

    result = firefly("validate", "--manifest", "workflows.yaml")

    assert result.code == 2
    assert (
        "workflows.yaml:10: workflows.func.parameters.Token: takes a secret, but f.yaml does not "
        "declare it NoEcho: true; add 'NoEcho: true' to the parameter so AWS masks its value"
    ) in result.err
