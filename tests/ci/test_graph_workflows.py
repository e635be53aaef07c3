"""The generated graph workflows, parsed: their jobs and `needs:` are the manifest's graphs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from orchestrator.ci import job_id
from orchestrator.ci.graph_workflows import CONFIRM_JOB, JOB_ID, UNLOCK_JOB, job_ids
from orchestrator.errors import UsageError
from orchestrator.graph import WorkflowGraph, delete_graph, deploy_graph
from orchestrator.manifest.models import Manifest
from tests.ci.files import load, triggers

Edges = set[tuple[str, str]]


RESERVED = (CONFIRM_JOB, UNLOCK_JOB)


def workflow_jobs(workflow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Manifest workflow → its job (the confirmation gate and the final unlock have none)."""
    return {job["name"]: job for key, job in workflow["jobs"].items() if key not in RESERVED}


def needs_edges(workflow: dict[str, Any]) -> Edges:
    """(before, after) workflow pairs read from `needs:`, through each job's id."""
    names = {key: job["name"] for key, job in workflow["jobs"].items()}
    return {
        (names[need], job["name"])
        for key, job in workflow["jobs"].items()
        if key not in RESERVED
        for need in job.get("needs", [])
        if need != CONFIRM_JOB
    }


def graph_edges(graph: WorkflowGraph) -> Edges:
    return {(edge.before, edge.after) for edge in graph.edges()}


def run_script(job: dict[str, Any]) -> str:
    """The job's script, its continued lines joined back."""
    (script,) = [step["run"] for step in job["steps"] if "firefly " in step.get("run", "")]
    assert isinstance(script, str)
    return "\n".join(" ".join(line.split()) for line in script.replace("\\\n", " ").split("\n"))


def test_deploy_graph_jobs_and_needs_are_the_deploy_graph(repo_manifest: Manifest) -> None:
    workflow = load("deploy-graph.yml")
    graph = deploy_graph(repo_manifest)

    assert sorted(workflow_jobs(workflow)) == sorted(graph.nodes)
    assert set(workflow["jobs"]) == {job_id(name) for name in graph.nodes} | {UNLOCK_JOB}
    assert needs_edges(workflow) == graph_edges(graph)
    assert len(graph_edges(graph)) > 20  # the manifest's graph, not a trivial one


def test_delete_graph_jobs_and_needs_are_the_delete_graph(repo_manifest: Manifest) -> None:
    workflow = load("delete-graph.yml")
    graph = delete_graph(repo_manifest)

    assert sorted(workflow_jobs(workflow)) == sorted(graph.nodes)
    assert needs_edges(workflow) == graph_edges(graph)
    assert "run-integration-tests" not in workflow_jobs(workflow)


def test_every_delete_starts_after_the_confirmation(repo_manifest: Manifest) -> None:
    workflow = load("delete-graph.yml")
    graph = delete_graph(repo_manifest)
    gate = workflow["jobs"][CONFIRM_JOB]

    roots = {name for name in graph.nodes if not graph.prerequisites(name)}
    assert roots
    for name, job in workflow_jobs(workflow).items():
        assert (CONFIRM_JOB in job["needs"]) == (name in roots)
    assert gate["steps"][0]["if"] == "inputs.confirm != inputs.environment"
    assert "exit 1" in gate["steps"][0]["run"]
    assert "environment" not in gate  # fails before any approval is asked for
    assert triggers(workflow)["workflow_dispatch"]["inputs"]["confirm"]["required"] is True


@pytest.mark.parametrize(
    ("file", "command"),
    [
        (
            "deploy-graph.yml",
            'firefly deploy --env "$ENVIRONMENT" --only {} --no-deps --report firefly-report.json',
        ),
        (
            "delete-graph.yml",
            'firefly delete --env "$ENVIRONMENT" --only {} '
            '--no-deps --yes --confirm "$ENVIRONMENT" --report firefly-report.json',
        ),
    ],
)
def test_each_job_runs_firefly_for_its_own_workflow(file: str, command: str) -> None:
    for name, job in workflow_jobs(load(file)).items():
        (step,) = [step for step in job["steps"] if "firefly " in step.get("run", "")]
        assert run_script(job).rstrip("\n").endswith(command.format(name))
        assert step["env"]["ENVIRONMENT"] == "${{ inputs.environment }}"
        assert job["environment"] == "${{ inputs.environment }}"
        assert job["runs-on"] == "ubuntu-latest"


@pytest.mark.parametrize("file", ["deploy-graph.yml", "delete-graph.yml"])
def test_the_environments_offered_are_the_manifests_outside_the_sandbox(
    file: str,
    repo_manifest: Manifest,
) -> None:
    inputs = triggers(load(file))["workflow_dispatch"]["inputs"]

    assert inputs["environment"]["type"] == "choice"
    assert inputs["environment"]["options"] == [
        name for name, env in repo_manifest.environments.items() if not env.sandbox
    ]
    assert "local" not in inputs["environment"]["options"]


@pytest.mark.parametrize("name", ["cognito", "func-api-firmware-status-patch", "a_b", "A9"])
def test_manifest_names_are_their_own_job_ids(name: str) -> None:
    assert job_id(name) == name


@pytest.mark.parametrize(
    ("name", "expected"),
    [("api.gateway", "api_gateway"), ("9lives", "_9lives"), ("-x", "_-x"), ("é", "_")],
)
def test_other_names_become_valid_job_ids(name: str, expected: str) -> None:
    assert job_id(name) == expected
    assert JOB_ID.fullmatch(job_id(name))


def test_two_workflows_on_one_job_id_are_refused() -> None:
    with pytest.raises(
        UsageError,
        match=r"workflow 'a\.b' would get the GitHub job id 'a_b' of "
        r"workflow 'A_B'",
    ):
        job_ids(["A_B", "a.b"])


def test_a_workflow_on_the_confirmation_job_id_is_refused() -> None:
    with pytest.raises(UsageError, match=f"of the job '{CONFIRM_JOB}'"):
        job_ids(["confirm.delete"], reserved=(CONFIRM_JOB,))


def test_more_jobs_than_github_runs_are_refused() -> None:
    with pytest.raises(UsageError, match="more jobs than GitHub runs in one workflow"):
        job_ids([f"w{number}" for number in range(257)])


def test_a_small_manifest_gives_one_job_per_workflow_and_its_edges(
    write_manifest: Any,
) -> None:
    from orchestrator.ci import render_workflows
    from orchestrator.validation import load_checked

    path: Path = write_manifest("""
        version: 1
        project: demo
        environments:
          dev: {region: us-east-1, account: "111111111111"}
        workflows:
          table: {type: cloudformation, template: t.yaml, description: The table.}
          app:
            type: sam
            template: a.yaml
            description: The app.
            parameters:
              TableName: {output: table.Name}
          check:
            type: tests
            description: The checks.
            deploy:
              needs: {app: The app must answer}
    """)
    files = render_workflows(load_checked(path))
    deploy = _parse(files["deploy-graph.yml"])
    delete = _parse(files["delete-graph.yml"])

    assert needs_edges(deploy) == {("table", "app"), ("app", "check")}
    assert needs_edges(delete) == {("app", "table")}
    assert workflow_jobs(delete)["app"]["needs"] == [CONFIRM_JOB]
    # No var or secret in this manifest: nothing to pass, nothing to unset.
    assert workflow_jobs(deploy)["app"]["steps"][4]["env"] == {
        "ENVIRONMENT": "${{ inputs.environment }}"
    }
    assert not re.search(r"secrets\.|for name in", files["deploy-graph.yml"])


def _parse(text: str) -> dict[str, Any]:
    import yaml

    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize(
    ("file", "condition"),
    [
        ("deploy-graph.yml", "${{ always() }}"),
        # after a wrong confirmation nothing ran: no approval is asked for the unlock either
        ("delete-graph.yml", "${{ always() && needs.confirm_delete.result == 'success' }}"),
    ],
)
def test_the_last_job_ends_the_runs_lock_whatever_the_others_did(file: str, condition: str) -> None:
    workflow = load(file)
    final = workflow["jobs"][UNLOCK_JOB]

    assert set(final["needs"]) == set(workflow["jobs"]) - {UNLOCK_JOB}
    assert final["if"] == condition
    assert final["environment"] == "${{ inputs.environment }}"  # its role, its AWS account
    assert run_script(final).strip() == 'firefly unlock --env "$ENVIRONMENT" --own-run'


def test_a_workflow_on_the_unlock_job_id_is_refused() -> None:
    with pytest.raises(UsageError, match=f"of the job '{UNLOCK_JOB}'"):
        job_ids(["release.lock"], reserved=(UNLOCK_JOB,))
