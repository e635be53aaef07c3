"""Typed results of a run, DESIGN.md's report, and the one mapping from a run to its exit code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from orchestrator.errors import ExitCode


class WorkflowStatus(StrEnum):
    DEPLOYED = "deployed"
    UNCHANGED = "unchanged"
    IMPORTED = "imported"
    PASSED = "passed"
    DELETED = "deleted"
    SKIPPED = "skipped"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # stopped by Ctrl-C, or still running when firefly stopped waiting


NOT_SUCCEEDED = (WorkflowStatus.FAILED, WorkflowStatus.SKIPPED, WorkflowStatus.INTERRUPTED)


@dataclass(frozen=True)
class WorkflowResult:
    workflow: str
    status: WorkflowStatus
    stack: str | None = None
    seconds: float = 0.0
    outputs: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None
    started_at: datetime | None = None  # UTC; None for a workflow that never started
    finished_at: datetime | None = None

    @property
    def succeeded(self) -> bool:
        return self.status not in NOT_SUCCEEDED


@dataclass(frozen=True)
class RunResult:
    env: str
    action: str
    results: Mapping[str, WorkflowResult]
    interrupted: bool = False  # Ctrl-C: nothing new started
    abandoned: bool = False  # a second Ctrl-C: firefly stopped waiting for what was in flight
    aborted: str | None = None  # why nothing new started (a dead endpoint), in one line
    api_calls: Mapping[str, int] = field(default_factory=dict)  # per service:Operation

    def count(self, status: WorkflowStatus) -> int:
        return sum(1 for result in self.results.values() if result.status is status)


def exit_code(run: RunResult) -> ExitCode:
    if run.interrupted or run.abandoned:
        return ExitCode.INTERRUPTED
    if run.aborted or any(r.status in NOT_SUCCEEDED for r in run.results.values()):
        return ExitCode.WORKFLOW_FAILED
    return ExitCode.SUCCESS


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z") if moment else None


def report(run: RunResult, needs: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    """DESIGN.md's `--report` JSON, plus each workflow's `needs` in the graph that ran: with
    them a report explains its own critical path (`firefly report`) without the manifest."""
    needs = needs or {}
    return {
        "env": run.env,
        "action": run.action,
        "api_calls": dict(sorted(run.api_calls.items())),
        "workflows": {
            name: {
                "status": result.status.value,
                "stack": result.stack,
                "seconds": round(result.seconds, 3),
                "started_at": _iso(result.started_at),
                "finished_at": _iso(result.finished_at),
                "outputs": dict(result.outputs),
                "error": result.error,
                "needs": list(needs.get(name, ())),
            }
            for name, result in run.results.items()
        },
    }
