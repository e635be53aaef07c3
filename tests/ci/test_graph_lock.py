"""The generated deploy-graph.yml's commands, run as GitHub would run them for two runs of one
environment (on the sandbox): the jobs of one run share its lock across the gap between them,
another run is refused until the run's last job ends the lock."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestrator.ci import job_id
from orchestrator.ci.graph_workflows import UNLOCK_JOB
from tests.ci.files import load
from tests.ci.test_graph_workflows import run_script
from tests.conftest import MANIFEST, CliResult, engine_process
from tests.sandbox_access import use_engine

# Two roots of the deploy graph, so neither job needs the other; plain tables, quick to create.
FIRST, SECOND = "dynamodb-assemblies", "dynamodb-builds"


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An engine of the test's own, so no other test meets the runs' locks; the jobs' reports
    go to the test's folder, as each job writes its own on its runner."""
    with engine_process(tmp_path / "state") as info:
        use_engine(monkeypatch, info)
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
        monkeypatch.chdir(tmp_path)
        yield


def job_argv(workflow: dict[str, Any], job: str) -> list[str]:
    """The firefly command line the job runs, for the environment `local` (which the step's
    `env:` passes from the input as $ENVIRONMENT)."""
    (line,) = [x for x in run_script(workflow["jobs"][job]).splitlines() if x.startswith("firefly")]
    argv = shlex.split(line.replace("$ENVIRONMENT", "local"))[1:]
    return [*argv, "--manifest", str(MANIFEST)]


@pytest.mark.slow  # an engine, and three deploys on it
@pytest.mark.usefixtures("engine")
def test_the_jobs_of_one_run_share_the_lock_and_its_last_job_ends_it(
    firefly: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    workflow = load("deploy-graph.yml")
    first, second = (job_argv(workflow, job_id(name)) for name in (FIRST, SECOND))
    last = job_argv(workflow, UNLOCK_JOB)

    def in_run(run_id: str, argv: list[str]) -> CliResult:
        """A job of GitHub Actions run `run_id`, attempt 1, on a runner of its own."""
        monkeypatch.setenv("GITHUB_RUN_ID", run_id)
        monkeypatch.setenv("GITHUB_RUN_ATTEMPT", "1")
        monkeypatch.setenv("GITHUB_ACTOR", f"actor-of-{run_id}")
        return firefly(*argv)

    job_a = in_run("1001", first)  # its process ends: the run's lock stays for the next job
    job_b = in_run("1001", second)  # the same run: joins it
    other_run = in_run("1002", first)
    ended = in_run("1001", last)
    after = in_run("1002", first)

    assert job_a.code == 0, job_a.err
    assert job_b.code == 0, job_b.err
    assert other_run.code == 3
    assert other_run.error_lines[0].startswith(
        "error: environment local is locked by run 1001-1 of actor-of-1001, between two jobs until "
    )
    assert ended.code == 0 and ended.out.startswith("released this run's lock of environment local")
    assert after.code == 0, after.err
    assert in_run("1001", last).out.startswith("environment local is locked by another run")
