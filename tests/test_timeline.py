"""A run's report as a timeline: bars, the critical path, idle time and the Mermaid gantt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orchestrator.errors import ExitCode, UsageError
from orchestrator.timeline import (
    critical_path,
    gantt_label,
    idle_spans,
    load_timeline,
    mermaid_gantt,
    timeline,
)

T0 = "2026-12-08T10:00:"


def ran(start: float, end: float | None, *needs: str, status: str = "deployed") -> dict[str, Any]:
    return {
        "status": status,
        "stack": None,
        "seconds": 0,
        "started_at": f"{T0}{start:06.3f}Z",
        "finished_at": None if end is None else f"{T0}{end:06.3f}Z",
        "outputs": {},
        "error": None,
        "needs": list(needs),
    }


def skipped(*needs: str) -> dict[str, Any]:
    return {
        "status": "skipped",
        "started_at": None,
        "finished_at": None,
        "error": f"needs {needs[0]}, which failed",
        "needs": list(needs),
    }


def run(**workflows: dict[str, Any]) -> dict[str, Any]:
    return {"env": "local", "action": "deploy", "api_calls": {}, "workflows": workflows}


# Two branches from a common root: the slow branch (table -> func) sets the wall time, the fast
# one (layer) finishes early; api waits for both and is released by func.
PARALLEL = run(
    root=ran(0, 2),
    layer=ran(2, 3, "root"),
    table=ran(2, 6, "root"),
    func=ran(6.5, 9, "table", "layer"),
    api=ran(9, 12, "func", "layer"),
)


def test_the_critical_path_follows_the_need_that_finished_last() -> None:
    line = timeline(PARALLEL)

    assert line.critical_path == ("root", "table", "func", "api")
    assert [bar.workflow for bar in line.bars if bar.critical] == ["root", "table", "func", "api"]
    assert line.wall_seconds == 12.0


def test_each_bar_knows_how_long_it_waited_after_its_last_need() -> None:
    bars = {bar.workflow: bar for bar in timeline(PARALLEL).bars}

    assert bars["func"].wait == pytest.approx(0.5)  # table finished at 6, func started at 6.5
    assert bars["api"].wait == 0.0
    assert bars["root"].wait == 0.0
    assert (bars["table"].start, bars["table"].end, bars["table"].seconds) == (2.0, 6.0, 4.0)


def test_idle_time_is_where_no_workflow_ran() -> None:
    line = timeline(PARALLEL)

    assert line.idle == ((6.0, 6.5),)
    assert line.idle_seconds == pytest.approx(0.5)
    assert idle_spans([(1, 2), (1.5, 3), (5, 6)], 8) == [(0.0, 1), (3, 5), (6, 8)]


def test_a_failed_workflow_ends_the_path_and_a_skipped_one_is_listed_apart() -> None:
    report = run(
        table=ran(0, 4),
        layer=ran(0, 1),
        func=ran(4, 7, "table", "layer", status="failed"),
        api=skipped("func"),
    )

    line = timeline(report)

    assert line.critical_path == ("table", "func")
    assert [bar.workflow for bar in line.bars] == ["layer", "table", "func"]
    assert [(n.workflow, n.status, n.error) for n in line.not_run] == [
        ("api", "skipped", "needs func, which failed")
    ]


def test_a_workflow_still_running_when_firefly_stopped_lasts_to_the_end() -> None:
    line = timeline(run(a=ran(0, 5), b=ran(1, None, status="interrupted")))

    bars = {bar.workflow: bar for bar in line.bars}
    assert bars["b"].end == line.wall_seconds == 5.0


def test_a_report_without_needs_still_has_the_last_to_finish_as_its_path() -> None:
    report = run(a=ran(0, 5), b=ran(0, 3))
    for workflow in report["workflows"].values():
        del workflow["needs"]

    assert timeline(report).critical_path == ("a",)


def test_a_run_where_nothing_started_has_no_bars() -> None:
    line = timeline(run(a=skipped("b")))

    assert (line.bars, line.critical_path, line.wall_seconds) == ((), (), 0.0)
    assert "a (skipped) :milestone" in mermaid_gantt(line)


def test_the_critical_path_ignores_a_need_that_never_ran() -> None:
    spans = {"a": (0.0, 2.0), "c": (2.0, 3.0)}
    assert critical_path(spans, {"c": ["a", "b"]}) == ["a", "c"]
    assert critical_path({}, {}) == []


def test_the_gantt_marks_the_critical_path_failures_idle_time_and_skips() -> None:
    report = run(
        table=ran(0, 4),
        layer=ran(0, 1),
        func=ran(4.5, 7, "table", "layer", status="failed"),
        api=skipped("func"),
    )

    gantt = mermaid_gantt(timeline(report)).splitlines()

    assert gantt[:4] == [
        "gantt",
        "    title deploy local in 7.0 s, 0.5 s idle",
        "    dateFormat x",
        "    axisFormat %H:%M:%S",
    ]
    start = 1796724000000  # 2026-12-08T10:00:00Z in unix milliseconds
    assert gantt[4:] == [
        "    section critical path",
        f"    table 4.0 s :crit, done, {start}, {start + 4000}",
        f"    func (failed) 2.5 s :crit, active, {start + 4500}, {start + 7000}",
        "    section other workflows",
        f"    layer 1.0 s :done, {start}, {start + 1000}",
        "    section idle",
        f"    idle 0.5 s :{start + 4000}, {start + 4500}",
        "    section not run",
        f"    api (skipped) :milestone, {start + 7000}, {start + 7000}",
    ]


def test_gantt_labels_lose_what_mermaid_would_read_as_syntax() -> None:
    label = gantt_label("a: b; c #1\nd")

    assert not set(":;#\n") & set(label)
    assert label.startswith("a") and label.endswith("d")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file; write one with 'firefly deploy --report FILE'"),
        ("{not json", "report.json:1: not JSON (Expecting property name enclosed in double "),
        ("[1, 2]", "no 'workflows' object; expected the file 'firefly deploy --report FILE'"),
        ('{"workflows": {"a": 3}}', "workflows.a: no 'status'"),
        (
            '{"workflows": {"a": {"status": "deployed", "started_at": "noon"}}}',
            "workflows.a.started_at: 'noon' is not an ISO 8601 time",
        ),
        (
            '{"workflows": {"a": {"status": "deployed", "needs": "b"}}}',
            "workflows.a.needs: not a list of workflow names",
        ),
    ],
)
def test_a_bad_report_file_is_one_usage_line(
    tmp_path: Path, content: str | None, expected: str
) -> None:
    path = tmp_path / "report.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")

    with pytest.raises(UsageError) as raised:
        load_timeline(path)

    assert raised.value.exit_code is ExitCode.USAGE
    assert expected in raised.value.message
    assert raised.value.message.startswith(f"report {path}")
    assert "\n" not in raised.value.message


def test_a_report_file_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(PARALLEL), encoding="utf-8")

    assert load_timeline(path) == timeline(PARALLEL)


def test_a_report_without_needs_takes_them_from_the_graph_of_its_action() -> None:
    report = run(a=ran(0, 2), b=ran(0, 1), c=ran(2, 5))
    for workflow in report["workflows"].values():
        del workflow["needs"]
    asked = []

    def needs_of(action: str) -> dict[str, list[str]]:
        asked.append(action)
        return {"c": ["a", "b"]}

    assert timeline(report, needs_of).critical_path == ("a", "c")
    assert asked == ["deploy"]
    assert timeline(PARALLEL, needs_of).critical_path[0] == "root"  # its own needs win
    assert asked == ["deploy"]


def test_gaps_of_the_schedulers_own_bookkeeping_are_not_idle_time() -> None:
    line = timeline(run(a=ran(0, 2), b=ran(2.05, 3, "a"), c=ran(3.5, 4, "b")))

    assert line.idle == ((3.0, 3.5),)
    assert line.critical_path == ("a", "b", "c")
