"""actionlint (rhysd/actionlint, the real checker compiled to WebAssembly) on every workflow file.

The suite installs the version pinned in package.json and package-lock.json itself
(tests/ci/actionlint.py); all it needs is Node.js. A missing linter fails these tests: a workflow
check that silently passes would prove nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci import actionlint
from tests.ci.files import WORKFLOWS, workflow_files
from tests.conftest import REPO


def test_every_workflow_file_is_clean(actionlint_program: Path) -> None:
    files = workflow_files()
    assert {"ci.yml", "deploy.yml", "delete.yml", "deploy-graph.yml", "delete-graph.yml"} <= {
        path.name for path in files
    }

    result = actionlint.lint(actionlint_program, REPO)

    assert result.returncode == 0, result.stdout + result.stderr
    # The linter passes when its pattern matches nothing: prove it read every file.
    assert f"Checking {len(files)} workflow file(s)" in result.stdout, result.stdout


def test_the_linter_finds_real_mistakes(actionlint_program: Path, tmp_path: Path) -> None:
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

    result = actionlint.lint(actionlint_program, tmp_path)

    assert result.returncode == 1
    assert 'needs job "build" which does not exist' in result.stdout
    assert 'missing input "aws-region"' in result.stdout


@pytest.mark.parametrize(
    ("which", "version", "expected"),
    [
        ({"node": None, "npm": None}, "", "but node and npm are not on PATH"),
        ({"node": "/bin/node", "npm": None}, "", "but npm is not on PATH"),
        ({"node": "/bin/node", "npm": "/bin/npm"}, "v18.19.0\n", "but found v18.19.0"),
    ],
)
def test_without_a_usable_node_the_reason_is_one_line_naming_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
    which: dict[str, str | None],
    version: str,
    expected: str,
) -> None:
    monkeypatch.setattr(actionlint.shutil, "which", which.get)
    monkeypatch.setattr(
        actionlint.subprocess,
        "run",
        lambda *a, **k: actionlint.subprocess.CompletedProcess(a, 0, version, ""),
    )

    found = actionlint.install()

    assert found.program is None and found.problem is not None
    assert "\n" not in found.problem
    assert expected in found.problem
    assert "install it (Debian/Ubuntu: 'apt-get install nodejs npm'" in found.problem
