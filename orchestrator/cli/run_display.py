"""Runs a deploy or delete with the display that suits where firefly runs, then reports."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from rich.console import Console

from orchestrator.cli.console import print_error
from orchestrator.cli.progress import (
    GitHubObserver,
    LiveObserver,
    PlainObserver,
    RedactingObserver,
    is_github_actions,
)
from orchestrator.cli.summary import print_summary, write_github_files, write_report
from orchestrator.engine.ports import RunObserver
from orchestrator.engine.redaction import Redactor
from orchestrator.engine.results import RunResult, WorkflowStatus, exit_code
from orchestrator.engine.results import report as report_data
from orchestrator.graph import WorkflowGraph
from orchestrator.manifest.models import Manifest
from orchestrator.timeline import mermaid_gantt, timeline
from orchestrator.views import mermaid

Runner = Callable[[RunObserver], RunResult]


def run_with_display(
    manifest: Manifest,
    graph: WorkflowGraph,
    action: str,
    only: tuple[str, ...],
    report: Path | None,
    runner: Runner,
    *,
    redactor: Redactor,
    out: Console,
    err: Console,
    api_calls: Callable[[], Mapping[str, int]] = dict,
) -> int:
    """Run, show progress on stderr and the results on stdout; the run's exit code.

    Everything shown or written, progress included, has been through `redactor`.
    """
    if is_github_actions():
        result = runner(RedactingObserver(GitHubObserver(err, redactor.values), redactor))
    elif err.is_terminal and not os.environ.get("FIREFLY_PLAIN"):
        with LiveObserver(err, graph.order(), action) as live:
            result = runner(RedactingObserver(live, redactor))
    else:
        result = runner(RedactingObserver(PlainObserver(err), redactor))
    result = redactor.run(replace(result, api_calls=api_calls()))
    print_summary(out, result)
    if result.aborted:
        print_error(result.aborted)
    if result.abandoned:
        print_error(abandoned_line(result))
    needs = needs_of(graph)
    if report is not None:
        write_report(report, result, needs)
    if is_github_actions():
        types = {name: workflow.type for name, workflow in manifest.workflows.items()}
        classes = {name: _css(r.status) for name, r in result.results.items()}
        # The timeline is drawn from the report as written, so the summary and
        # `firefly report --format mermaid` on that file show the same picture.
        gantt = mermaid_gantt(timeline(report_data(result, needs)))
        write_github_files(result, mermaid(graph, types, classes), only, gantt)
    return exit_code(result)


def needs_of(graph: WorkflowGraph) -> dict[str, list[str]]:
    """What each workflow waited for in this run, for the report's timeline."""
    return {workflow: list(graph.prerequisites(workflow)) for workflow in graph.nodes}


def abandoned_line(run: RunResult) -> str:
    """After a second Ctrl-C: what was left running, and what to do about it."""
    left = [
        r.stack or r.workflow
        for r in run.results.values()
        if r.status is WorkflowStatus.INTERRUPTED and r.finished_at is None
    ]
    return (
        f"stopped waiting for {', '.join(left)}: still in progress, going on without firefly; "
        f"'firefly status --env {run.env}' shows when they end, and the next {run.action} "
        "waits for them"
    )


def _css(status: WorkflowStatus) -> str:
    return {
        WorkflowStatus.FAILED: "failed",
        WorkflowStatus.SKIPPED: "skipped",
        WorkflowStatus.UNCHANGED: "unchanged",
    }.get(status, "deployed")
