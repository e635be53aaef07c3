"""A run's report as a timeline: bars, the critical path, idle time, and a Mermaid gantt.

Pure: it reads the `--report` JSON (DESIGN.md) and computes; `cli/report.py` draws it with rich.
The report carries each workflow's `needs` (the edges of the graph that ran), so a report file
explains its own critical path on any machine, without the manifest it came from (which may
have changed since). A report written before reports carried `needs` takes them from the
manifest's graph when one is at hand; without either, its critical path is only the workflow
that finished last.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from orchestrator.errors import UsageError

# A run that finished worse than this has its bar marked; the others simply ran.
TROUBLED = ("failed", "interrupted")
# Gaps shorter than this between one workflow's end and the next one's start are the
# scheduler's own bookkeeping (milliseconds), not idle time worth telling.
SHOWN_IDLE_SECONDS = 0.1


@dataclass(frozen=True)
class Bar:
    """One workflow that ran: seconds from the run's first start."""

    workflow: str
    status: str
    start: float
    end: float
    needs: tuple[str, ...]
    wait: float  # from its last need finishing (or the run's start) to its own start
    critical: bool

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class NotRun:
    """A workflow that never started (skipped): it has no times, only a reason."""

    workflow: str
    status: str
    error: str | None


@dataclass(frozen=True)
class Timeline:
    env: str
    action: str
    origin: datetime | None  # the first start; None when nothing ran
    bars: tuple[Bar, ...]  # in start order
    not_run: tuple[NotRun, ...]
    critical_path: tuple[str, ...]  # first to last, each needing the one before
    idle: tuple[tuple[float, float], ...]  # spans (from, to) where no workflow ran, if long
    wall_seconds: float

    @property
    def idle_seconds(self) -> float:
        return sum(end - start for start, end in self.idle)


# The needs of the graph of an action ("deploy", "delete"), for a report that carries none.
NeedsOf = Callable[[str], Mapping[str, Sequence[str]]]


def load_timeline(path: Path, needs_of: NeedsOf | None = None) -> Timeline:
    """The timeline of the report at `path`; a bad file is one UsageError line."""
    where = f"report {path}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"{where}: no such file; write one with 'firefly deploy --report FILE'"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise UsageError(f"{where}: cannot read it ({reason})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(
            f"{where}:{error.lineno}: not JSON ({error.msg}); "
            "expected the file 'firefly deploy --report FILE' writes"
        ) from None
    try:
        return timeline(data, needs_of)
    except ReportShapeError as error:
        raise UsageError(
            f"{where}: {error}; expected the file 'firefly deploy --report FILE' writes"
        ) from None


class ReportShapeError(ValueError):
    """The JSON is not a firefly report; the message names the field."""


def timeline(report: Any, needs_of: NeedsOf | None = None) -> Timeline:
    """The timeline of a parsed report."""
    if not isinstance(report, dict) or not isinstance(report.get("workflows"), dict):
        raise ReportShapeError("no 'workflows' object")
    entries = {name: _entry(name, value) for name, value in report["workflows"].items()}
    carried = any(isinstance(v, dict) and "needs" in v for v in report["workflows"].values())
    if not carried and needs_of is not None:
        graph = needs_of(str(report.get("action", "deploy")))
        entries = {
            name: replace(e, needs=tuple(graph.get(name, ()))) for name, e in entries.items()
        }
    ran = {name: entry for name, entry in entries.items() if entry.started_at is not None}
    origin = min((e.started_at for e in ran.values() if e.started_at), default=None)
    spans = {name: _span(entry, origin) for name, entry in ran.items() if origin}
    wall = max((end for _, end in spans.values()), default=0.0)
    spans = {name: (start, wall if end < start else end) for name, (start, end) in spans.items()}
    path = critical_path(spans, {name: entry.needs for name, entry in ran.items()})
    bars = sorted(
        (_bar(name, entry.status, entry.needs, spans, set(path)) for name, entry in ran.items()),
        key=lambda bar: (bar.start, bar.end),
    )
    not_run = [NotRun(name, e.status, e.error) for name, e in entries.items() if name not in ran]
    return Timeline(
        env=str(report.get("env", "")),
        action=str(report.get("action", "")),
        origin=origin,
        bars=tuple(bars),
        not_run=tuple(not_run),
        critical_path=tuple(path),
        idle=tuple(
            (start, end)
            for start, end in idle_spans(list(spans.values()), wall)
            if end - start >= SHOWN_IDLE_SECONDS
        ),
        wall_seconds=wall,
    )


@dataclass(frozen=True)
class _Entry:
    status: str
    needs: tuple[str, ...]
    error: str | None
    started_at: datetime | None
    finished_at: datetime | None


def _entry(name: str, value: Any) -> _Entry:
    if not isinstance(value, dict) or not isinstance(value.get("status"), str):
        raise ReportShapeError(f"workflows.{name}: no 'status'")
    needs = value.get("needs", [])
    if not isinstance(needs, list) or not all(isinstance(n, str) for n in needs):
        raise ReportShapeError(f"workflows.{name}.needs: not a list of workflow names")
    error = value.get("error")
    return _Entry(
        value["status"],
        tuple(needs),
        error if isinstance(error, str) else None,
        _moment(name, "started_at", value.get("started_at")),
        _moment(name, "finished_at", value.get("finished_at")),
    )


def _moment(name: str, key: str, value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise ReportShapeError(
            f"workflows.{name}.{key}: {value!r} is not an ISO 8601 time"
        ) from None
    if moment.tzinfo is None:
        raise ReportShapeError(f"workflows.{name}.{key}: {value!r} has no time zone")
    return moment


def _span(entry: _Entry, origin: datetime) -> tuple[float, float]:
    assert entry.started_at is not None
    start = (entry.started_at - origin).total_seconds()
    # Still running when firefly stopped waiting: it lasts, as far as anyone saw, to the end;
    # -1 is replaced by the run's end once that is known.
    if entry.finished_at is None:
        return start, -1.0
    return start, (entry.finished_at - origin).total_seconds()


def critical_path(
    spans: Mapping[str, tuple[float, float]], needs: Mapping[str, Sequence[str]]
) -> list[str]:
    """The chain of needs that set the wall time: from the workflow that finished last, back
    through the need that finished last at each step (the one that released it)."""
    if not spans:
        return []
    order = list(spans)  # ties go to the report's order, which is the graph's
    last: str | None = max(order, key=lambda name: spans[name][1])
    path: list[str] = []
    while last is not None and last not in path:
        path.append(last)
        ran = [need for need in needs.get(last, ()) if need in spans]
        last = max(ran, key=lambda need: spans[need][1], default=None)
    return path[::-1]


def idle_spans(spans: Sequence[tuple[float, float]], wall: float) -> list[tuple[float, float]]:
    """The spans between 0 and `wall` in which no workflow ran."""
    gaps = []
    reached = 0.0
    for start, end in sorted(spans):
        if start > reached:
            gaps.append((reached, start))
        reached = max(reached, end)
    if wall > reached:
        gaps.append((reached, wall))
    return gaps


def _bar(
    name: str,
    status: str,
    needs: tuple[str, ...],
    spans: Mapping[str, tuple[float, float]],
    critical: set[str],
) -> Bar:
    start, end = spans[name]
    released = max((spans[need][1] for need in needs if need in spans), default=0.0)
    return Bar(name, status, start, end, needs, max(0.0, start - released), name in critical)


# Mermaid gantt ends a task's label at ':', reads ';' as the end of a statement and '#' as the
# start of an entity code; their look-alikes read the same to a person and nothing to mermaid.
_GANTT_UNSAFE = str.maketrans({":": "\u2236", ";": "\u037e", "#": "\uff03", "\n": " "})


def gantt_label(text: str) -> str:
    return text.translate(_GANTT_UNSAFE)


def mermaid_gantt(line: Timeline) -> str:
    """The timeline as a Mermaid gantt: the critical path first and marked `crit`, a failed
    workflow `active` (drawn apart from the `done` ones), idle spans and skipped workflows in
    sections of their own (a skipped workflow has no times: a milestone at the run's end)."""
    title = f"{line.action} {line.env} in {line.wall_seconds:.1f} s, {line.idle_seconds:.1f} s idle"
    lines = ["gantt", f"    title {gantt_label(title)}", "    dateFormat x"]
    lines.append("    axisFormat %H:%M:%S")
    critical = sorted((b for b in line.bars if b.critical), key=lambda b: b.start)
    if critical:
        lines.append("    section critical path")
        lines += [_gantt_task(line, bar) for bar in critical]
    others = [bar for bar in line.bars if not bar.critical]
    if others:
        lines.append("    section other workflows")
        lines += [_gantt_task(line, bar) for bar in others]
    if line.idle:
        lines.append("    section idle")
        for start, end in line.idle:
            lines.append(f"    idle {end - start:.1f} s :{_ms(line, start)}, {_ms(line, end)}")
    if line.not_run:
        lines.append("    section not run")
        at = _ms(line, line.wall_seconds)
        for skipped in line.not_run:
            label = gantt_label(f"{skipped.workflow} ({skipped.status})")
            lines.append(f"    {label} :milestone, {at}, {at}")
    return "\n".join(lines) + "\n"


def _gantt_task(line: Timeline, bar: Bar) -> str:
    tags = ["crit"] if bar.critical else []
    tags.append("active" if bar.status in TROUBLED else "done")
    label = bar.workflow if bar.status not in TROUBLED else f"{bar.workflow} ({bar.status})"
    label = f"{label} {bar.seconds:.1f} s"
    return (
        f"    {gantt_label(label)} :{', '.join(tags)}, {_ms(line, bar.start)}, {_ms(line, bar.end)}"
    )


def _ms(line: Timeline, seconds: float) -> int:
    """Unix milliseconds (mermaid's `x` format), so the axis shows the run's wall-clock time."""
    origin = line.origin.timestamp() if line.origin else 0.0
    return round((origin + seconds) * 1000)
