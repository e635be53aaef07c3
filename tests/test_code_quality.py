"""ruff and mypy are part of the suite, so a lint or type error fails CI like a failing test."""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.conftest import REPO


def run_tool(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *argv], cwd=REPO, capture_output=True, text=True, check=False
    )


def test_ruff_is_clean() -> None:
    assert shutil.which("ruff") or run_tool("ruff", "--version").returncode == 0
    result = run_tool("ruff", "check", ".")

    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    result = run_tool("mypy")

    assert result.returncode == 0, result.stdout + result.stderr
