"""drift() over fakes: a missing stack is NOT_CHECKED with its reason, a drifted one lists its
properties with both values redacted, tests workflows are left out, and drift exits 1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from orchestrator.engine.deploy import DeployRequest
from orchestrator.engine.drift import (
    DriftStatus,
    PropertyDrift,
    ResourceDrift,
    StackDrift,
    drift,
    drift_exit_code,
)
from orchestrator.engine.ports import StackSnapshot
from orchestrator.manifest import load_manifest
from orchestrator.manifest.models import Manifest
from tests.engine.fakes import FakeStacks
from tests.engine.test_rollback import MANIFEST

TTL = PropertyDrift("/TimeToLiveSpecification/AttributeName", "s3cret-name", "other", "NOT_EQUAL")


class FakeDrifts:
    def __init__(self, found: dict[str, StackDrift]) -> None:
        self.found, self.detected = found, []

    def detect(self, stack: str) -> StackDrift:
        self.detected.append(stack)
        return self.found[stack]


@pytest.fixture
def manifest(write_manifest: Callable[[str], Path]) -> Manifest:
    return load_manifest(write_manifest(MANIFEST))


def test_drifted_missing_and_redacted(manifest: Manifest) -> None:
    stacks = FakeStacks(stacks={"demo-table": StackSnapshot("demo-table", "UPDATE_COMPLETE")})
    table = ResourceDrift("Table", "AWS::DynamoDB::Table", "MODIFIED", (TTL,))
    drifts = FakeDrifts({"demo-table": StackDrift(DriftStatus.DRIFTED, (table,))})

    results = drift(
        manifest,
        DeployRequest("local"),
        stacks,
        drifts,
        lambda text: text.replace("s3cret-name", "***"),
    )

    by_workflow = {r.workflow: r for r in results}
    assert set(by_workflow) == {"table", "queue"}
    assert by_workflow["queue"].status is DriftStatus.NOT_CHECKED
    assert by_workflow["queue"].reason == "stack demo-queue does not exist"
    assert by_workflow["table"].status is DriftStatus.DRIFTED
    assert by_workflow["table"].resources[0].properties == (
        PropertyDrift("/TimeToLiveSpecification/AttributeName", "***", "other", "NOT_EQUAL"),
    )
    assert drifts.detected == ["demo-table"]
    assert drift_exit_code(results) == 1


def test_in_sync_and_not_checked_exit_zero(manifest: Manifest) -> None:
    stacks = FakeStacks(stacks={"demo-table": StackSnapshot("demo-table", "UPDATE_COMPLETE")})
    drifts = FakeDrifts({"demo-table": StackDrift(DriftStatus.IN_SYNC)})

    results = drift(manifest, DeployRequest("local", ("table",)), stacks, drifts, str)

    assert [(r.workflow, r.status) for r in results] == [("table", DriftStatus.IN_SYNC)]
    assert drift_exit_code(results) == 0
