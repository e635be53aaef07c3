"""ruff (lint and format) and mypy are part of the suite, so a lint, layout or type error fails CI
like a failing test."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.early import Background


def run_tool(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *argv], cwd=REPO, capture_output=True, text=True, check=False
    )


def start_mypy() -> Background:
    return Background.start([sys.executable, "-m", "mypy"], cwd=REPO)


def test_ruff_is_clean() -> None:
    result = run_tool("ruff", "check", ".")

    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_every_file_as_it_is() -> None:
    result = run_tool("ruff", "format", "--check", ".")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "already formatted" in result.stdout  # it looked at files


@pytest.mark.slow
@pytest.mark.early(start=start_mypy)
def test_mypy_is_clean(early_output: tuple[int, str]) -> None:
    code, output = early_output

    assert code == 0, output
    assert "Success: no issues found" in output
