"""`firefly report FILE`: a run's report drawn as a timeline, as text and as a Mermaid gantt."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.test_timeline import ran, run, skipped

Firefly = Callable[..., CliResult]


@pytest.fixture
def report_file(tmp_path: Path) -> Path:
    path = tmp_path / "run.json"
    report = run(
        table=ran(0, 4),
        layer=ran(0, 1),
        func=ran(5, 7, "table", "layer", status="failed"),
        api=skipped("func"),
    )
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def test_the_text_timeline_marks_the_critical_path_idle_time_and_the_skipped(
    firefly: Firefly, report_file: Path
) -> None:
    result = firefly("report", str(report_file))

    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[:3] == [
        "deploy local: 7.0 s",
        "critical path (*): table -> func",
        "idle (nothing running): 1.0 s (4.0-5.0 s)",
    ]
    rows = {line.split()[1]: line for line in lines[4:] if line.startswith("*")}
    assert set(rows) == {"table", "func"}
    assert "failed" in rows["func"] and "x" in rows["func"].split()[-1]
    assert any(line.split()[:1] == ["layer"] for line in lines[4:])  # not marked
    assert lines[-1] == "  api: skipped: needs func, which failed"


def test_the_mermaid_timeline_is_a_gantt_with_the_critical_path_marked(
    firefly: Firefly, report_file: Path
) -> None:
    result = firefly("report", str(report_file), "--format", "mermaid")

    assert result.code == 0, result.err
    assert result.out.startswith("gantt\n")
    crit = [line.split(" :")[0].strip() for line in result.out.splitlines() if ":crit" in line]
    assert crit == ["table 4.0 s", "func (failed) 2.0 s"]
    assert "    api (skipped) :milestone," in result.out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{", "not JSON"),
        ('{"env": "local"}', "no 'workflows' object"),
    ],
)
def test_a_bad_report_file_is_one_line_and_exit_2(
    firefly: Firefly, tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "run.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")

    result = firefly("report", str(path))

    assert result.code == 2
    assert len(result.err.splitlines()) == 1
    assert result.error_lines[0].startswith(f"error: report {path}")
    assert message in result.err


def test_a_folder_is_not_a_report(firefly: Firefly, tmp_path: Path) -> None:
    result = firefly("report", str(tmp_path))

    assert result.code == 2
    assert result.error_lines == [f"error: report {tmp_path}: cannot read it (Is a directory)"]
