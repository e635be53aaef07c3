"""What a job that can assume the deploy role runs is fixed in advance: actions pinned by commit
SHA, firefly's dependencies installed from hashes, every job bounded in time, and no workflow
input pasted into a shell script. Checked over the repository's files and over what
`firefly ci generate` writes for another manifest."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from orchestrator.ci import render_workflows
from orchestrator.ci.actions import PINNED
from orchestrator.ci.steps import INSTALL
from orchestrator.validation import load_checked
from tests.ci.files import workflow_files

PINNED_USES = re.compile(r"(?P<action>[\w.-]+/[\w.-]+)@(?P<sha>[0-9a-f]{40}) # v\d+(\.\d+)*")
USES_LINE = re.compile(r"^\s*(- )?uses:(?P<value>.*)$")
# An expression that a user or an event controls, inside a script, is script injection.
UNTRUSTED_IN_SCRIPT = re.compile(r"\$\{\{[^}]*\b(inputs|github\.event)\.")


@pytest.fixture
def generated(write_manifest: Any) -> dict[str, str]:
    """The graph workflows of a manifest other than the repository's: a var, a secret, two
    regions, so that every branch of the generator shows."""
    path: Path = write_manifest("""
        version: 1
        project: demo
        environments:
          dev: {region: us-east-1, account: "111111111111"}
          prd: {region: eu-west-1, account: "222222222222"}
        workflows:
          table:
            type: cloudformation
            template: t.yaml
            description: The table.
            parameters:
              TableName: {var: TABLE_NAME}
          app:
            type: sam
            template: a.yaml
            description: The app.
            parameters:
              Table: {output: table.Name}
              ApiKey: {secret: API_KEY}
    """)
    return render_workflows(load_checked(path))


def texts(generated: dict[str, str]) -> dict[str, str]:
    """Every workflow text to check: the repository's files, then the generated ones."""
    files = {path.name: path.read_text(encoding="utf-8") for path in workflow_files()}
    files.update({f"generated {name}": text for name, text in generated.items()})
    assert len(files) == len(workflow_files()) + 2
    return files


def jobs(text: str) -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    found = data["jobs"]
    assert isinstance(found, dict)
    return found


def test_every_action_is_pinned_by_commit_sha_with_its_tag(generated: dict[str, str]) -> None:
    pins: dict[str, set[str]] = {}
    for name, text in texts(generated).items():
        for line in text.splitlines():
            found = USES_LINE.match(line)
            if found is None:
                continue
            value = found.group("value").strip()
            pinned = PINNED_USES.fullmatch(value)
            assert pinned is not None, f"{name}: `uses: {value}` is not `OWNER/REPO@<sha> # vX`"
            pins.setdefault(pinned.group("action"), set()).add(value)

    # One pin per action in every file, the one orchestrator/ci/actions.py names.
    assert pins == {a.repository: {f"{a.repository}@{a.sha} # {a.tag}"} for a in PINNED}


def test_a_tag_or_branch_reference_is_caught() -> None:
    for unpinned in (
        "actions/checkout@v4",
        "actions/checkout@main",
        "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af68",  # 39 hex digits
        "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683",  # no tag comment
    ):
        assert PINNED_USES.fullmatch(unpinned) is None


def test_every_job_has_a_time_limit(generated: dict[str, str]) -> None:
    for name, text in texts(generated).items():
        for job_id, job in jobs(text).items():
            minutes = job.get("timeout-minutes")
            assert isinstance(minutes, int), f"{name}: job {job_id} has no timeout-minutes"
            assert 0 < minutes <= 180, f"{name}: job {job_id}"


def test_no_input_or_event_value_is_pasted_into_a_script(generated: dict[str, str]) -> None:
    for name, text in texts(generated).items():
        for job_id, job in jobs(text).items():
            for step in job["steps"]:
                script = step.get("run", "")
                assert not UNTRUSTED_IN_SCRIPT.search(script), f"{name}: job {job_id}: {script}"


def test_an_input_in_a_script_is_caught() -> None:
    assert UNTRUSTED_IN_SCRIPT.search('firefly deploy --env "${{ inputs.environment }}"')
    assert UNTRUSTED_IN_SCRIPT.search("echo ${{github.event.inputs.confirm}}")
    assert not UNTRUSTED_IN_SCRIPT.search('firefly deploy --env "$ENVIRONMENT"')


def test_jobs_that_assume_the_deploy_role_install_only_hashed_packages(
    generated: dict[str, str],
) -> None:
    role_jobs = 0
    for name, text in texts(generated).items():
        for job_id, job in jobs(text).items():
            scripts = [step.get("run", "") for step in job["steps"]]
            installs = [line for s in scripts for line in s.splitlines() if "pip install" in line]
            if not any("aws-actions/" in step.get("uses", "") for step in job["steps"]):
                continue
            role_jobs += 1
            assert INSTALL in scripts, f"{name}: job {job_id}"
            assert installs == INSTALL.splitlines(), f"{name}: job {job_id} installs {installs}"
    assert role_jobs >= 5
