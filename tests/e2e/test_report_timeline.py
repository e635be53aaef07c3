"""The main job's timeline: the whole manifest deployed on the sandbox with `--report`, then
`firefly report --format mermaid` on that file (issue 18: a screenshot-free check of the gantt)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from orchestrator.graph import deploy_graph
from orchestrator.manifest import load_manifest
from tests.conftest import MANIFEST, CliResult
from tests.e2e.conftest import read_report

Firefly = Callable[..., CliResult]


def task_name(line: str) -> str:
    """The workflow a gantt task line stands for: its label up to the duration."""
    label = line.split(" :")[0].strip()
    return label.rsplit(" ", 2)[0].removesuffix(" (failed)")


def test_the_main_jobs_report_draws_its_critical_path(local: Firefly, tmp_path: Path) -> None:
    report = tmp_path / "deploy.json"
    deployed = local("deploy", "--env", "local", "--report", str(report))
    assert deployed.code == 0, deployed.out + deployed.err

    drawn = local("report", str(report), "--format", "mermaid")

    assert drawn.code == 0, drawn.err
    data = read_report(report)
    tasks = [line for line in drawn.out.splitlines() if " :" in line and "idle" not in line]
    assert sorted(task_name(line) for line in tasks) == sorted(data["workflows"])
    critical = [task_name(line) for line in tasks if ":crit," in line]
    graph = deploy_graph(load_manifest(MANIFEST))
    for before, after in pairwise(critical):
        assert before in graph.prerequisites(after), f"{before} -> {after} is not a need"
    finished = {name: w["finished_at"] for name, w in data["workflows"].items()}
    assert finished[critical[-1]] == max(finished.values())
    assert graph.prerequisites(critical[0]) == {} or all(
        finished[need] <= data["workflows"][critical[0]]["started_at"]
        for need in graph.prerequisites(critical[0])
    )
    assert len(critical) >= 3  # the graph is deep: the path runs from a root through layers
