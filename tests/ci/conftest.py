"""Fixtures of the workflow-file tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci.actionlint import Actionlint, install


@pytest.fixture(scope="session")
def actionlint_install() -> Actionlint:
    return install()


@pytest.fixture
def actionlint_program(actionlint_install: Actionlint) -> Path:
    """The linter; without it, one failure that says what to install, then skips."""
    if actionlint_install.problem is not None:
        if actionlint_install.problem_reported:
            pytest.skip("actionlint is not available: the first test that needed it said why")
        actionlint_install.problem_reported = True
        pytest.fail(actionlint_install.problem, pytrace=False)
    assert actionlint_install.program is not None
    return actionlint_install.program
