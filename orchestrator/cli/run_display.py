"""Runs a deploy or delete with the display that suits where firefly runs, then reports."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from orchestrator.cli.progress import GitHubObserver, LiveObserver, PlainObserver, is_github_actions
from orchestrator.cli.summary import print_summary, write_github_files, write_report
from orchestrator.engine.ports import RunObserver
from orchestrator.engine.results import RunResult, WorkflowStatus, exit_code, redacted
from orchestrator.graph import WorkflowGraph
from orchestrator.manifest.models import Manifest
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
    secrets: list[str],
    out: Console,
    err: Console,
) -> int:
    """Run, show progress on stderr and the results on stdout; the run's exit code."""
    if is_github_actions():
        result = runner(GitHubObserver(err, secrets))
    elif err.is_terminal and not os.environ.get("FIREFLY_PLAIN"):
        with LiveObserver(err, graph.order(), action) as live:
            result = runner(live)
    else:
        result = runner(PlainObserver(err))
    result = redacted(result, secrets)
    print_summary(out, result)
    if report is not None:
        write_report(report, result)
    if is_github_actions():
        types = {name: workflow.type for name, workflow in manifest.workflows.items()}
        classes = {name: _css(r.status) for name, r in result.results.items()}
        write_github_files(result, mermaid(graph, types, classes), only)
    return exit_code(result)


def _css(status: WorkflowStatus) -> str:
    return {
        WorkflowStatus.FAILED: "failed",
        WorkflowStatus.SKIPPED: "skipped",
        WorkflowStatus.UNCHANGED: "unchanged",
    }.get(status, "deployed")
