"""rollback() over fakes: each stack status takes its path, and the outcome says how it ended."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from orchestrator.engine.ports import FailedResource, StackSnapshot
from orchestrator.engine.rollback import (
    RollbackAction,
    RollbackOutcome,
    RollbackRequest,
    rollback,
    rollback_action,
)
from orchestrator.errors import UsageError
from orchestrator.manifest import load_manifest
from orchestrator.manifest.models import Manifest
from tests.engine.fakes import FakeStacks, RecordingObserver

MANIFEST = """
    version: 1
    project: demo
    environments:
      local: {region: us-east-1, sandbox: true}
    workflows:
      table:
        type: cloudformation
        template: t.yaml
        description: The table
      queue:
        type: cloudformation
        template: q.yaml
        description: The queue
      smoke:
        type: tests
        description: Smoke tests
    """
STUCK = FailedResource("Table", "AWS::DynamoDB::Table", "UPDATE_FAILED", "Table not found")


@pytest.fixture
def manifest(write_manifest: Callable[[str], Path]) -> Manifest:
    return load_manifest(write_manifest(MANIFEST))


def roll_back(
    manifest: Manifest, stacks: FakeStacks, *only: str, skip: tuple[str, ...] = ()
) -> list[RollbackOutcome]:
    request = RollbackRequest("local", only or ("table",), skip)
    return rollback(manifest, request, stacks, RecordingObserver())


def at(status: str, stuck: dict[str, list[FailedResource]] | None = None) -> FakeStacks:
    return FakeStacks(stacks={"demo-table": StackSnapshot("demo-table", status)}, stuck=stuck or {})


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("CREATE_FAILED", RollbackAction.ROLLBACK),
        ("UPDATE_FAILED", RollbackAction.ROLLBACK),
        ("UPDATE_ROLLBACK_FAILED", RollbackAction.CONTINUE),
        ("UPDATE_ROLLBACK_IN_PROGRESS", RollbackAction.WAIT),
        ("ROLLBACK_IN_PROGRESS", RollbackAction.WAIT),
        ("UPDATE_COMPLETE", RollbackAction.NOTHING),
        ("REVIEW_IN_PROGRESS", RollbackAction.NOTHING),
        ("DELETE_FAILED", RollbackAction.NOTHING),
        (None, RollbackAction.NOTHING),
    ],
)
def test_each_status_maps_to_one_rollback_action(
    status: str | None, action: RollbackAction
) -> None:
    assert rollback_action(status) is action


@pytest.mark.parametrize(
    ("status", "final"),
    [("UPDATE_FAILED", "UPDATE_ROLLBACK_COMPLETE"), ("CREATE_FAILED", "ROLLBACK_COMPLETE")],
)
def test_a_stack_left_by_no_rollback_is_rolled_back(
    manifest: Manifest, status: str, final: str
) -> None:
    stacks = at(status)

    [outcome] = roll_back(manifest, stacks)

    assert stacks.calls[-2:] == ["rollback_stack demo-table", "wait_stack demo-table"]
    assert (outcome.ok, outcome.status) == (True, final)


def test_a_rollback_that_fails_names_the_resources_to_skip(manifest: Manifest) -> None:
    stacks = at("UPDATE_FAILED", stuck={"demo-table": [STUCK]})

    [outcome] = roll_back(manifest, stacks)

    assert not outcome.ok
    assert outcome.message.startswith(
        "stack demo-table ended UPDATE_ROLLBACK_FAILED: Table (AWS::DynamoDB::Table) "
        "UPDATE_FAILED: Table not found; "
    )
    assert "'firefly rollback --env local --only table --skip-resource Table'" in outcome.message


def test_update_rollback_failed_continues_skipping_only_its_own_resources(
    manifest: Manifest,
) -> None:
    stacks = at("UPDATE_ROLLBACK_FAILED", stuck={"demo-table": [STUCK]})

    [outcome] = roll_back(manifest, stacks, skip=("Table", "OtherStacksQueue"))

    assert "continue_update_rollback demo-table Table" in stacks.calls
    assert (outcome.ok, outcome.status) == (True, "UPDATE_ROLLBACK_COMPLETE")


def test_update_rollback_failed_without_skip_stays_failed(manifest: Manifest) -> None:
    stacks = at("UPDATE_ROLLBACK_FAILED", stuck={"demo-table": [STUCK]})

    [outcome] = roll_back(manifest, stacks)

    assert "continue_update_rollback demo-table" in stacks.calls
    assert (outcome.ok, outcome.status) == (False, "UPDATE_ROLLBACK_FAILED")


def test_a_rollback_in_progress_is_waited_for(manifest: Manifest) -> None:
    stacks = at("UPDATE_ROLLBACK_IN_PROGRESS")

    [outcome] = roll_back(manifest, stacks)

    assert not any(c.startswith(("rollback_stack", "continue")) for c in stacks.calls)
    assert outcome == RollbackOutcome(
        "table",
        "demo-table",
        "UPDATE_ROLLBACK_COMPLETE",
        True,
        "nothing to roll back: stack demo-table is UPDATE_ROLLBACK_COMPLETE",
    )


def test_other_states_have_nothing_to_roll_back(manifest: Manifest) -> None:
    stacks = FakeStacks(
        stacks={
            "demo-table": StackSnapshot("demo-table", "UPDATE_COMPLETE"),
            "demo-queue": StackSnapshot("demo-queue", "DELETE_FAILED"),
        }
    )

    settled, stuck = roll_back(manifest, stacks, "table", "queue")
    [missing] = roll_back(manifest, FakeStacks())

    assert (settled.ok, settled.message) == (
        True,
        "nothing to roll back: stack demo-table is UPDATE_COMPLETE",
    )
    assert not stuck.ok and stuck.message.startswith(
        "nothing to roll back: stack demo-queue is DELETE_FAILED; the stack is DELETE_FAILED"
    )
    assert missing.message == "nothing to roll back: stack demo-table does not exist"
    assert not any(c.startswith(("rollback_stack", "continue")) for c in stacks.calls)


@pytest.mark.parametrize(("only", "why"), [((), "needs --only"), (("smoke",), "--only smoke")])
def test_a_rollback_names_stack_workflows(
    manifest: Manifest, only: tuple[str, ...], why: str
) -> None:
    request = RollbackRequest("local", only)
    with pytest.raises(UsageError, match=why):
        rollback(manifest, request, FakeStacks(), RecordingObserver())
