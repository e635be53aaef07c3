"""plan's drift note: the last detection's status and age; `drift`'s text lines per property."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from orchestrator.cli.drift import text_lines
from orchestrator.cli.plan import drift_note
from orchestrator.engine.drift import DriftStatus, PropertyDrift, ResourceDrift, WorkflowDrift

NOW = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)


def test_drift_note_says_status_and_age() -> None:
    assert drift_note("DRIFTED", NOW - timedelta(hours=3), NOW) == (
        " [drift: DRIFTED, checked 3h ago]"
    )
    assert drift_note("IN_SYNC", NOW - timedelta(seconds=5), NOW) == (
        " [drift: IN_SYNC, checked 5s ago]"
    )
    assert drift_note("NOT_CHECKED", None, NOW) == " [drift: not checked]"
    assert drift_note("", None, NOW) == ""


def test_text_lines_indent_resources_and_properties() -> None:
    ttl = PropertyDrift("/TimeToLiveSpecification/Enabled", "true", "false", "NOT_EQUAL")
    table = ResourceDrift("Table", "AWS::DynamoDB::Table", "MODIFIED", (ttl,))
    results = [
        WorkflowDrift("table", "demo-table", DriftStatus.DRIFTED, (table,)),
        WorkflowDrift("queue", "demo-queue", DriftStatus.NOT_CHECKED, reason="no stack"),
    ]

    assert text_lines(results) == [
        "table: DRIFTED (demo-table)",
        "  Table (AWS::DynamoDB::Table): MODIFIED",
        "    /TimeToLiveSpecification/Enabled: expected true, actual false (NOT_EQUAL)",
        "queue: NOT_CHECKED (demo-queue) — no stack",
    ]
