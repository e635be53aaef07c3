"""Progress of a run as people and machines read it: a live table in a terminal, plain lines
elsewhere, and GitHub Actions' workflow commands under GITHUB_ACTIONS=true.

Observers are called from worker threads; each serialises its own output.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from orchestrator.engine.ports import RunObserver
from orchestrator.engine.redaction import Redactor
from orchestrator.engine.results import WorkflowResult, WorkflowStatus

STYLES = {
    WorkflowStatus.DEPLOYED: "green",
    WorkflowStatus.UNCHANGED: "dim",
    WorkflowStatus.IMPORTED: "green",
    WorkflowStatus.PASSED: "green",
    WorkflowStatus.DELETED: "green",
    WorkflowStatus.SKIPPED: "yellow",
    WorkflowStatus.FAILED: "red",
    WorkflowStatus.INTERRUPTED: "yellow",
}


def interrupting_line(in_flight: list[str]) -> str:
    waiting = f"waiting for {', '.join(in_flight)} to end" if in_flight else "ending"
    return (
        f"interrupted: nothing new starts; {waiting}. Press Ctrl-C again to stop waiting "
        "(what is in flight then goes on in AWS without firefly)"
    )


def outcome(result: WorkflowResult) -> str:
    text = f"{result.status.value} ({result.seconds:.1f} s)"
    return f"{text}: {result.error}" if result.error else text


class RedactingObserver:
    """Passes every phase text (stack events and their reasons included) and every result
    through the run's redactor before the display it wraps sees them."""

    def __init__(self, display: RunObserver, redactor: Redactor) -> None:
        self._display = display
        self._redact = redactor

    def started(self, workflow: str) -> None:
        self._display.started(workflow)

    def phase(self, workflow: str, text: str) -> None:
        self._display.phase(workflow, self._redact(text))

    def finished(self, result: WorkflowResult) -> None:
        self._display.finished(self._redact.result(result))

    def interrupting(self, in_flight: list[str]) -> None:
        self._display.interrupting(in_flight)


class PlainObserver:
    """One prefixed line per event: logs, pipes and CI systems other than GitHub."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._lock = threading.Lock()

    def _line(self, workflow: str, text: str, style: str = "") -> None:
        with self._lock:
            self._console.print(Text.assemble((f"[{workflow}] ", "bold"), (text, style)))

    def started(self, workflow: str) -> None:
        self._line(workflow, "started")

    def phase(self, workflow: str, text: str) -> None:
        self._line(workflow, text, "dim")

    def finished(self, result: WorkflowResult) -> None:
        self._line(result.workflow, outcome(result), STYLES[result.status])

    def interrupting(self, in_flight: list[str]) -> None:
        with self._lock:
            self._console.print(Text(interrupting_line(in_flight), style="bold yellow"))


class GitHubObserver:
    """GitHub Actions: each workflow's lines as one `::group::` when it ends (parallel
    workflows would otherwise interleave inside each other's groups), `::error::` for failures.
    """

    def __init__(self, console: Console, secrets: tuple[str, ...]) -> None:
        self._console = console
        self._lock = threading.Lock()
        self._lines: dict[str, list[str]] = {}
        # Before anything else is printed: GitHub then masks them in the log too, even in the
        # output of the tools firefly's steps run.
        for secret in secrets:
            self._write(f"::add-mask::{secret}")

    def _write(self, line: str) -> None:
        self._console.file.write(line + "\n")
        self._console.file.flush()

    def started(self, workflow: str) -> None:
        with self._lock:
            self._lines[workflow] = [f"{time.strftime('%H:%M:%S')} started"]

    def phase(self, workflow: str, text: str) -> None:
        with self._lock:
            self._lines.setdefault(workflow, []).append(f"{time.strftime('%H:%M:%S')} {text}")

    def finished(self, result: WorkflowResult) -> None:
        with self._lock:
            lines = self._lines.pop(result.workflow, [])
            self._write(f"::group::{result.workflow}: {result.status.value}")
            for line in [*lines, outcome(result)]:
                self._write(line)
            self._write("::endgroup::")
            if result.status is WorkflowStatus.FAILED:
                message = (result.error or "failed").replace("%", "%25").replace("\n", "%0A")
                self._write(f"::error title=firefly {result.workflow}::{message}")

    def interrupting(self, in_flight: list[str]) -> None:
        with self._lock:
            self._write(f"::warning title=firefly::{interrupting_line(in_flight)}")


class LiveObserver:
    """A terminal: one row per workflow with its phase and elapsed time, redrawn in place."""

    def __init__(self, console: Console, workflows: list[str], action: str) -> None:
        self._rows: dict[str, tuple[str, str, float | None]] = {
            w: ("waiting", "dim", None) for w in workflows
        }
        self._ended: dict[str, float] = {}
        self._action = action
        self._lock = threading.Lock()
        self._live = Live(
            console=console, get_renderable=self._table, refresh_per_second=4, transient=False
        )

    def __enter__(self) -> LiveObserver:
        self._live.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._live.stop()

    def started(self, workflow: str) -> None:
        with self._lock:
            self._rows[workflow] = ("started", "", time.monotonic())

    def phase(self, workflow: str, text: str) -> None:
        with self._lock:
            _, _, since = self._rows[workflow]
            self._rows[workflow] = (text, "", since)

    def finished(self, result: WorkflowResult) -> None:
        with self._lock:
            self._rows[result.workflow] = (outcome(result), STYLES[result.status], None)

    def interrupting(self, in_flight: list[str]) -> None:
        self._live.console.print(Text(interrupting_line(in_flight), style="bold yellow"))

    def _table(self) -> Table:
        table = Table(box=None, show_header=True, header_style="bold", expand=False)
        table.add_column("workflow")
        table.add_column(self._action)
        table.add_column("elapsed", justify="right")
        now = time.monotonic()
        with self._lock:
            rows = dict(self._rows)
        for workflow, (text, style, since) in rows.items():
            elapsed = f"{now - since:.0f} s" if since is not None else ""
            table.add_row(workflow, Text(text, style=style), elapsed)
        return table


def is_github_actions(environ: Mapping[str, str] | None = None) -> bool:
    return (environ if environ is not None else os.environ).get("GITHUB_ACTIONS") == "true"
