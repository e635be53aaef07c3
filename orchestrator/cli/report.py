"""`firefly report FILE`: a run's `--report` as a timeline, in a terminal or as a Mermaid gantt."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from orchestrator.cli.console import print_plain, print_rows, stdout
from orchestrator.cli.options import DEFAULT_MANIFEST, ManifestOption

if TYPE_CHECKING:
    from rich.text import Text

    from orchestrator.timeline import Bar, NeedsOf, Timeline

EXAMPLE = "Example: firefly deploy --env dev --report run.json && firefly report run.json"
MIN_BAR_WIDTH = 20  # characters for the whole run: enough to tell 5 % apart
PIPED_BAR_WIDTH = 50  # outside a terminal no width is given: whole rows, and 2 % per character
NUMBERS_WIDTH = 3 * 7  # start, seconds, waited: "seconds" or "12345.6"
PADDING = 2 * 6  # one space either side of each column but the outer edges
STATUS_STYLES = {"failed": "red", "interrupted": "yellow", "unchanged": "dim"}


class ReportFormat(StrEnum):
    TEXT = "text"
    MERMAID = "mermaid"


def report(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="A report written by 'deploy --report' or 'delete --report'."
        ),
    ],
    output_format: Annotated[
        ReportFormat,
        typer.Option(
            "--format", "-f", help="text for people; mermaid (a gantt) for GitHub and docs."
        ),
    ] = ReportFormat.TEXT,
    manifest: ManifestOption = DEFAULT_MANIFEST,
) -> None:
    """Draw a run as a timeline: a bar per workflow, the critical path marked (*), idle time.

    A report carries its workflows' needs; an older one takes them from the manifest.
    """
    from orchestrator.timeline import load_timeline, mermaid_gantt

    line = load_timeline(file, _manifest_needs(manifest) if manifest.is_file() else None)
    if output_format is ReportFormat.MERMAID:
        print_plain(mermaid_gantt(line))
        return
    stdout.print(_headline(line))
    if line.bars:
        _print_bars(line)
    for skipped in line.not_run:
        reason = f": {skipped.error}" if skipped.error else ""
        stdout.print(f"  {skipped.workflow}: {skipped.status}{reason}", style="yellow")


def _manifest_needs(manifest: Path) -> NeedsOf:
    def needs_of(action: str) -> dict[str, list[str]]:
        from orchestrator.graph import delete_graph, deploy_graph
        from orchestrator.validation import load_checked

        loaded = load_checked(manifest)
        graph = delete_graph(loaded) if action == "delete" else deploy_graph(loaded)
        return {workflow: list(graph.prerequisites(workflow)) for workflow in graph.nodes}

    return needs_of


def _headline(line: Timeline) -> Text:
    from rich.text import Text

    text = Text(f"{line.action} {line.env}: {line.wall_seconds:.1f} s", style="bold")
    if line.critical_path:
        text.append("\ncritical path (*): ")
        text.append(" -> ".join(line.critical_path), style="bold magenta")
    if line.idle:
        spans = ", ".join(f"{start:.1f}-{end:.1f} s" for start, end in line.idle)
        text.append(f"\nidle (nothing running): {line.idle_seconds:.1f} s ({spans})")
    return text


def _print_bars(line: Timeline) -> None:
    """A terminal gets a rich table that fills its width, critical and failed rows coloured;
    elsewhere (a pipe, a file, CI's log) whole rows, nothing cut, the critical ones marked *."""
    headers = ("", "workflow", "status", "start", "seconds", "waited", "timeline")
    names = max(len("workflow"), *(len(bar.workflow) for bar in line.bars))
    statuses = max(len("status"), *(len(bar.status) for bar in line.bars))
    columns = 1 + names + statuses + NUMBERS_WIDTH + PADDING
    terminal = stdout.is_terminal
    width = max(MIN_BAR_WIDTH, stdout.width - columns) if terminal else PIPED_BAR_WIDTH
    rows = [
        (
            "*" if bar.critical else "",
            bar.workflow,
            bar.status,
            f"{bar.start:.1f}",
            f"{bar.seconds:.1f}",
            f"{bar.wait:.1f}",
            _drawn(bar, line.wall_seconds, width),
        )
        for bar in line.bars
    ]
    if not terminal:
        print_rows(stdout, headers, rows)
        return
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for header in headers:
        right = header in ("start", "seconds", "waited")
        table.add_column(header, justify="right" if right else "left", no_wrap=True)
    for bar, row in zip(line.bars, rows, strict=True):
        style = STATUS_STYLES.get(bar.status, "bold magenta" if bar.critical else "")
        table.add_row(*row, style=style)
    stdout.print(table, soft_wrap=False)


def _drawn(bar: Bar, wall: float, width: int) -> str:
    """The bar on a `width` scale: blank before it starts, one block per slice it runs."""
    scale = width / wall if wall > 0 else 0.0
    first = min(width - 1, int(bar.start * scale))
    last = max(first + 1, round(bar.end * scale))
    mark = "x" if bar.status in ("failed", "interrupted") else "\u2588"
    return " " * first + mark * (last - first)
