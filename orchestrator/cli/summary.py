"""The end of a run: the results table, the JSON report, GitHub's step summary and outputs."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from orchestrator.cli.progress import STYLES
from orchestrator.engine.results import RunResult, WorkflowResult, WorkflowStatus, report
from orchestrator.errors import OrchestratorError

MERMAID_RESULT_CLASSES = [
    "    classDef deployed fill:#d4edda,stroke:#28a745",
    "    classDef unchanged fill:#eeeeee,stroke:#999999",
    "    classDef failed fill:#f8d7da,stroke:#dc3545",
    "    classDef skipped fill:#fff3cd,stroke:#ffc107",
]


def results_table(run: RunResult) -> Table:
    table = Table(
        title=f"{run.action} {run.env}", title_justify="left", box=None, header_style="bold"
    )
    for column in ("workflow", "status", "stack", "seconds", "error"):
        table.add_column(
            column, justify="right" if column == "seconds" else "left", overflow="fold"
        )
    for name, result in run.results.items():
        table.add_row(
            name,
            Text(result.status.value, style=STYLES[result.status]),
            result.stack or "",
            f"{result.seconds:.1f}",
            result.error or "",
        )
    return table


def totals(run: RunResult) -> str:
    counts = [
        f"{run.count(status)} {status.value}" for status in WorkflowStatus if run.count(status)
    ]
    suffix = " (interrupted)" if run.interrupted else ""
    return ", ".join(counts) + suffix


def print_summary(console: Console, run: RunResult) -> None:
    """A table in a terminal; elsewhere one whole line per workflow, never cut or wrapped."""
    if console.is_terminal:
        console.print(results_table(run))
    else:
        for name, result in run.results.items():
            console.print(summary_line(name, result), markup=False, highlight=False)
    console.print(Text(totals(run), style="bold"))


# Outcomes that took time worth telling: an unchanged or skipped workflow took none, and an
# interrupted one says what became of it instead.
_TIMED = {
    WorkflowStatus.DEPLOYED: "in",
    WorkflowStatus.IMPORTED: "in",
    WorkflowStatus.PASSED: "in",
    WorkflowStatus.DELETED: "in",
    WorkflowStatus.FAILED: "after",
}


def summary_line(name: str, result: WorkflowResult) -> str:
    """One workflow's outcome, saying each thing once and leaving out what does not apply:
    'func: deployed in 12.3 s (stack p-func-dev)', 'suite: passed in 8.1 s',
    'func: skipped: needs table, which failed'."""
    line = f"{name}: {result.status.value}"
    if result.status in _TIMED:
        line += f" {_TIMED[result.status]} {result.seconds:.1f} s"
    if result.stack:
        line += f" (stack {result.stack})"
    return f"{line}: {result.error}" if result.error else line


def write_report(
    path: Path, run: RunResult, needs: Mapping[str, Sequence[str]] | None = None
) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report(run, needs), indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise OrchestratorError(f"--report {path}: cannot write it ({error.strerror})") from None


def github_step_summary(run: RunResult, mermaid_graph: str, mermaid_timeline: str = "") -> str:
    """The results table, then the run's timeline (what took the time), then the graph."""
    lines = [
        f"## firefly {run.action} `{run.env}`",
        "",
        totals(run),
        "",
        "| workflow | status | stack | seconds | error |",
        "|---|---|---|---:|---|",
    ]
    for name, result in run.results.items():
        error = (result.error or "").replace("|", "\\|")
        lines.append(
            f"| {name} | {result.status.value} | {result.stack or ''} | "
            f"{result.seconds:.1f} | {error} |"
        )
    if mermaid_timeline:
        lines += ["", "```mermaid", mermaid_timeline.rstrip(), "```"]
    lines += ["", "```mermaid", mermaid_graph.rstrip(), *MERMAID_RESULT_CLASSES, "```", ""]
    return "\n".join(lines)


def write_github_files(
    run: RunResult, mermaid_graph: str, only: tuple[str, ...], mermaid_timeline: str = ""
) -> None:
    """The step summary; and, when one workflow was asked for, its outputs as step outputs."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as file:
            file.write(github_step_summary(run, mermaid_graph, mermaid_timeline))
    output = os.environ.get("GITHUB_OUTPUT")
    if output and len(only) == 1 and only[0] in run.results:
        with Path(output).open("a", encoding="utf-8") as file:
            for key, value in run.results[only[0]].outputs.items():
                delimiter = f"firefly_{uuid.uuid4().hex}"  # values may hold newlines
                file.write(f"{key}<<{delimiter}\n{value}\n{delimiter}\n")
