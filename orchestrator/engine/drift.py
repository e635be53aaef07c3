"""`firefly drift`: what changed behind CloudFormation's back, per selected workflow.

Every selected stack is checked at once (bounded concurrency): a stack that does not exist is
NOT_CHECKED with the reason, one whose detection finds a MODIFIED or DELETED resource is
DRIFTED, and each such resource lists its property paths with the expected (template) and actual
values, redacted, since a secret parameter may be a property's value ("Detect unmanaged
configuration changes to stacks and resources with drift detection", CloudFormation User Guide).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from orchestrator.engine.deploy import DeployRequest, selected_graph
from orchestrator.engine.ports import Stacks
from orchestrator.manifest import environment
from orchestrator.manifest.models import Manifest

MAX_DETECTIONS = 4  # detections at once: each one polls, and AWS throttles the account's calls


class DriftStatus(StrEnum):
    IN_SYNC = "IN_SYNC"
    DRIFTED = "DRIFTED"
    NOT_CHECKED = "NOT_CHECKED"


@dataclass(frozen=True)
class PropertyDrift:
    path: str  # e.g. /TimeToLiveSpecification/Enabled
    expected: str
    actual: str
    kind: str  # ADD | REMOVE | NOT_EQUAL


@dataclass(frozen=True)
class ResourceDrift:
    logical_id: str
    resource_type: str
    status: str  # MODIFIED | DELETED (the drifted ones only)
    properties: tuple[PropertyDrift, ...] = ()


@dataclass(frozen=True)
class StackDrift:
    """One finished detection: the stack's status and its drifted resources."""

    status: DriftStatus
    resources: tuple[ResourceDrift, ...] = ()
    reason: str = ""


class Drifts(Protocol):
    """Drift detection of one stack at a time, waited for until it is complete."""

    def detect(self, stack: str) -> StackDrift: ...


@dataclass(frozen=True)
class WorkflowDrift:
    workflow: str
    stack: str
    status: DriftStatus
    resources: tuple[ResourceDrift, ...] = ()
    reason: str = ""


def drift(
    manifest: Manifest,
    request: DeployRequest,
    stacks: Stacks,
    drifts: Drifts,
    redact: Callable[[str], str],
) -> list[WorkflowDrift]:
    """The drift of every selected stack workflow, in manifest order."""
    env = environment(manifest, request.env)
    selected = selected_graph(manifest, request).nodes
    stack_of = {
        name: manifest.stack_name(name, env.name)
        for name, workflow in manifest.workflows.items()
        if name in selected and workflow.has_stack
    }
    observed = stacks.snapshot(sorted(stack_of.values()))

    def one(workflow: str) -> WorkflowDrift:
        stack = stack_of[workflow]
        snapshot = observed.get(stack)
        if snapshot is None or snapshot.status == "DELETE_COMPLETE":
            return WorkflowDrift(
                workflow, stack, DriftStatus.NOT_CHECKED, reason=f"stack {stack} does not exist"
            )
        found = drifts.detect(stack)
        return WorkflowDrift(
            workflow, stack, found.status, _redacted(found.resources, redact), redact(found.reason)
        )

    with ThreadPoolExecutor(max_workers=MAX_DETECTIONS) as pool:
        return list(pool.map(one, stack_of))


def _redacted(
    resources: Sequence[ResourceDrift], redact: Callable[[str], str]
) -> tuple[ResourceDrift, ...]:
    return tuple(
        replace(
            resource,
            properties=tuple(
                replace(p, expected=redact(p.expected), actual=redact(p.actual))
                for p in resource.properties
            ),
        )
        for resource in resources
    )


def drift_exit_code(results: Sequence[WorkflowDrift]) -> int:
    """1 when anything drifted (DESIGN: "a check found drift"), 0 otherwise."""
    return 1 if any(r.status is DriftStatus.DRIFTED for r in results) else 0
