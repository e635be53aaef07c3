"""Fixtures shared by the orchestrator's tests: the repository, small manifests, the CLI."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from orchestrator.manifest.models import Manifest

if TYPE_CHECKING:
    from orchestrator.sandbox.server import RunningServer

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / "workflows.yaml"


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("error: ")]


@pytest.fixture
def firefly(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run the firefly command line in-process, through the same error funnel as the script."""
    from orchestrator.cli import run

    def invoke(*argv: str) -> CliResult:
        capsys.readouterr()
        code = run(list(argv))
        captured = capsys.readouterr()
        return CliResult(int(code), captured.out, captured.err)

    return invoke


@pytest.fixture
def write_manifest(tmp_path: Path) -> Callable[[str], Path]:
    """Write a manifest (dedented) into a fresh folder and return its path."""

    def write(text: str) -> Path:
        path = tmp_path / "workflows.yaml"
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def repo_manifest() -> Manifest:
    from orchestrator.validation import load_checked

    return load_checked(MANIFEST)


@pytest.fixture(scope="session")
def sandbox_engine() -> Iterator[RunningServer]:
    """One in-process engine for the whole session (moto's state is per process, so two would
    share it anyway), on 127.0.0.1 and stopped at the end."""
    from orchestrator.sandbox.server import start_server

    server = start_server(port=0)
    yield server
    server.stop()
