"""Stacks, change sets, their resources and events, held per account and region.

A stack operation is applied at once, but it shows as `*_IN_PROGRESS` until its `ready_at`
(the engine's latency): what a client sees is computed from the clock, so no thread has to
finish the operation later.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from orchestrator.sandbox.cloudformation import errors

if TYPE_CHECKING:
    from orchestrator.sandbox.cloudformation.drift_api import Detection

# One lock for every stack operation: moto's backends are not thread-safe, and a stack name or
# change-set name must be checked and claimed in one step (eight deployers race on `deploy`).
ENGINE_LOCK = threading.RLock()


def now() -> datetime:
    return datetime.now(UTC)


def at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


@dataclass
class StackEvent:
    stack_id: str
    stack_name: str
    logical_id: str
    physical_id: str
    resource_type: str
    status: str
    reason: str | None = None
    epoch: float = field(default_factory=time.time)
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass
class Resource:
    """One resource of a stack: its template entry, what it resolved to and what moto made."""

    logical_id: str
    resource_type: str
    definition: dict[str, Any]  # the template entry (Type, Properties, DeletionPolicy, ...)
    properties: dict[str, Any]  # the Properties with every intrinsic function resolved
    physical_id: str
    model: Any  # the moto object; `Any` because moto is untyped
    status: str
    reason: str | None = None
    updated: datetime = field(default_factory=now)


@dataclass
class Output:
    key: str
    value: str
    description: str | None = None
    export_name: str | None = None


@dataclass
class Stable:
    """What a stack was at its last stable state (`*_COMPLETE`): where a rollback returns."""

    resources: dict[str, Resource]
    outputs: list[Output]


@dataclass
class Stack:
    stack_id: str
    name: str
    status: str
    template_body: str = "{}"
    template: dict[str, Any] = field(default_factory=dict)  # processed (after transforms)
    parameters: dict[str, str] = field(default_factory=dict)  # as given, for describe
    tags: dict[str, str] = field(default_factory=dict)
    capabilities: list[str] = field(default_factory=list)
    notification_arns: list[str] = field(default_factory=list)
    role_arn: str | None = None
    description: str | None = None
    status_reason: str | None = None
    disable_rollback: bool = False
    termination_protection: bool = False
    policy: str | None = None
    resources: dict[str, Resource] = field(default_factory=dict)
    outputs: list[Output] = field(default_factory=list)
    events: list[StackEvent] = field(default_factory=list)
    created: datetime = field(default_factory=now)
    updated: datetime | None = None
    deleted: datetime | None = None
    # what clients see until `ready_at`: the *_IN_PROGRESS status of the running operation
    pending_status: str | None = None
    ready_at: float = 0.0
    # kept while a failed operation has not been rolled back (UPDATE_FAILED with rollback
    # disabled, UPDATE_ROLLBACK_FAILED): the state RollbackStack and ContinueUpdateRollback restore
    stable: Stable | None = None
    drift: Detection | None = None  # the last drift detection, for DriftInformation

    def no_echo(self) -> frozenset[str]:
        """The parameters whose values describe_stacks masks."""
        declared = self.template.get("Parameters") or {}
        return frozenset(
            k for k, p in declared.items() if str((p or {}).get("NoEcho")).lower() == "true"
        )

    def visible_status(self) -> str:
        if self.pending_status and time.time() < self.ready_at:
            return self.pending_status
        return self.status

    def is_live(self) -> bool:
        """Whether the name still belongs to this stack (a deletion not yet visible counts)."""
        return self.visible_status() != "DELETE_COMPLETE"

    def visible_events(self) -> list[StackEvent]:
        moment = time.time()
        return [e for e in self.events if e.epoch <= moment]

    def event(
        self,
        resource: Resource | None,
        status: str,
        reason: str | None = None,
        epoch: float | None = None,
    ) -> None:
        """Record an event of `resource`, or of the stack itself when it is None."""
        if resource is None:
            logical, physical, kind = self.name, self.stack_id, "AWS::CloudFormation::Stack"
        else:
            logical, physical = resource.logical_id, resource.physical_id
            kind = resource.resource_type
        self.events.append(
            StackEvent(
                self.stack_id,
                self.name,
                logical,
                physical,
                kind,
                status,
                reason,
                epoch if epoch is not None else time.time(),
            )
        )


@dataclass
class ResourceChange:
    action: str  # Add | Modify | Remove | Import
    logical_id: str
    resource_type: str
    physical_id: str | None = None
    replacement: str | None = None


@dataclass
class ChangeSet:
    change_set_id: str
    name: str
    stack_id: str
    stack_name: str
    change_set_type: str  # CREATE | UPDATE | IMPORT
    template_body: str
    template: dict[str, Any]
    parameters: dict[str, str]
    tags: dict[str, str] | None
    capabilities: list[str]
    description: str | None = None
    resources_to_import: list[dict[str, Any]] = field(default_factory=list)
    changes: list[ResourceChange] = field(default_factory=list)
    status: str = "CREATE_COMPLETE"
    status_reason: str | None = None
    execution_status: str = "AVAILABLE"
    created: datetime = field(default_factory=now)
    ready_at: float = 0.0  # until then the change set shows CREATE_IN_PROGRESS
    execution_ready_at: float = 0.0  # until then its execution shows EXECUTE_IN_PROGRESS
    # DeploymentMode REVERT_DRIFT: logical id -> the live properties of each drifted resource,
    # which its execution overwrites with the template's values
    revert_drift: dict[str, dict[str, Any]] = field(default_factory=dict)

    def visible_status(self) -> str:
        return "CREATE_IN_PROGRESS" if time.time() < self.ready_at else self.status

    def visible_execution_status(self) -> str:
        moment = time.time()
        if moment < self.ready_at:
            return "UNAVAILABLE"
        if moment < self.execution_ready_at:
            return "EXECUTE_IN_PROGRESS"
        return self.execution_status


@dataclass
class Store:
    """The stacks and change sets of one account and region."""

    stacks: dict[str, Stack] = field(default_factory=dict)  # by stack id, deleted ones included
    change_sets: dict[str, ChangeSet] = field(default_factory=dict)  # by change-set id
    drift_detections: dict[str, Detection] = field(default_factory=dict)  # by detection id

    def live_stack(self, name_or_id: str) -> Stack | None:
        """The stack a name designates (live only) or an id designates (deleted too)."""
        if name_or_id in self.stacks:
            return self.stacks[name_or_id]
        for stack in self.stacks.values():
            if stack.name == name_or_id and stack.is_live():
                return stack
        return None

    def exports(self) -> dict[str, tuple[str, str]]:
        """Export name -> (value, exporting stack id) of every live stack."""
        found: dict[str, tuple[str, str]] = {}
        for stack in self.stacks.values():
            if stack.status in EXPORTING_STATUSES:
                for output in stack.outputs:
                    if output.export_name:
                        found[output.export_name] = (output.value, stack.stack_id)
        return found

    def change_sets_of(self, stack_id: str) -> list[ChangeSet]:
        return [c for c in self.change_sets.values() if c.stack_id == stack_id]

    def change_set(self, stack_name: str | None, name_or_id: str) -> ChangeSet:
        """A change set by id, or by name among its stack's only (AWS does not look across
        stacks); `ChangeSetNotFound` otherwise."""
        if name_or_id in self.change_sets:
            return self.change_sets[name_or_id]
        stack = self.live_stack(stack_name) if stack_name else None
        if stack is not None:
            for change_set in self.change_sets_of(stack.stack_id):
                if change_set.name == name_or_id:
                    return change_set
        raise errors.change_set_not_found(name_or_id)


EXPORTING_STATUSES = frozenset(
    {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
        "DELETE_FAILED",
        "UPDATE_FAILED",
        "UPDATE_ROLLBACK_FAILED",
    }
)


def store_for(account_id: str, region: str) -> Store:
    """The store of one account and region, kept on moto's CloudFormation backend so that moto's
    reset (`/moto-api/reset`) clears it with everything else."""
    from moto.cloudformation.models import cloudformation_backends

    backend = cloudformation_backends[account_id][region]
    store = backend.__dict__.get("firefly_store")
    if store is None:
        store = backend.__dict__.setdefault("firefly_store", Store())
    assert isinstance(store, Store)
    return store
