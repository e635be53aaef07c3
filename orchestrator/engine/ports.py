"""What the engine needs from the outside world, as Protocols: AWS adapters and the display
implement them, tests pass fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from threading import Event
from typing import Protocol

from orchestrator.engine.results import WorkflowResult


class RunObserver(Protocol):
    """Progress as it happens: the CLI renders it (live view, plain lines, GitHub)."""

    def started(self, workflow: str) -> None: ...

    def phase(self, workflow: str, text: str) -> None: ...

    def finished(self, result: WorkflowResult) -> None: ...

    def interrupting(self, in_flight: list[str]) -> None:
        """The first Ctrl-C: nothing new starts; `in_flight` is being waited for."""


class NullObserver:
    def started(self, workflow: str) -> None:
        pass

    def phase(self, workflow: str, text: str) -> None:
        pass

    def finished(self, result: WorkflowResult) -> None:
        pass

    def interrupting(self, in_flight: list[str]) -> None:
        pass


@dataclass(frozen=True)
class StackSnapshot:
    """What one DescribeStacks entry says about a stack."""

    name: str
    status: str
    stack_id: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    outputs: Mapping[str, str] = field(default_factory=dict)
    reason: str = ""
    # DriftInformation: the last drift detection's StackDriftStatus and when it ran (None: never)
    drift_status: str = "NOT_CHECKED"
    drift_checked: datetime | None = None


@dataclass(frozen=True)
class FailedResource:
    logical_id: str
    resource_type: str
    status: str
    reason: str

    def describe(self) -> str:
        return f"{self.logical_id} ({self.resource_type}) {self.status}: {self.reason}"


@dataclass(frozen=True)
class ChangeSetRequest:
    stack: str
    name: str
    change_set_type: str  # CREATE | UPDATE | IMPORT
    template_body: str
    parameters: Mapping[str, str]
    tags: Mapping[str, str]
    capabilities: Sequence[str] = ()
    resources_to_import: Sequence[Mapping[str, object]] = ()
    # an UPDATE that also puts drifted resources back to the template's values
    revert_drift: bool = False


@dataclass(frozen=True)
class ChangeSetOutcome:
    """A change set once CloudFormation has computed it."""

    status: str  # CREATE_COMPLETE or FAILED
    reason: str = ""
    changes: Sequence[Mapping[str, str]] = ()
    empty: bool = False  # FAILED only because nothing would change


class Stacks(Protocol):
    """CloudFormation, as the engine uses it."""

    def snapshot(self, names: Sequence[str]) -> dict[str, StackSnapshot]:
        """Every named stack that exists (absent names are missing from the result)."""

    def prioritise(self, awaited: Collection[str]) -> None:
        """The stacks whose end other work of this run waits for: worth a closer look."""

    def create_change_set(self, request: ChangeSetRequest) -> str:
        """Create it and return its id."""

    def wait_change_set(self, change_set_id: str) -> ChangeSetOutcome: ...

    def delete_change_set(self, change_set_id: str) -> None: ...

    def execute_change_set(self, change_set_id: str, disable_rollback: bool = False) -> None:
        """`disable_rollback`: a failure leaves the stack CREATE_FAILED or UPDATE_FAILED with
        what it provisioned, instead of rolling back."""

    def wait_stack(
        self, stack: str, on_event: Callable[[str], None] | None = None
    ) -> StackSnapshot:
        """Block until the stack leaves *_IN_PROGRESS; its final snapshot (DELETE_COMPLETE
        when it is gone). `on_event` hears the latest stack event, one line at a time."""

    def delete_stack(self, stack: str) -> None: ...

    def first_failure(self, stack: str) -> FailedResource | None:
        """The first failed resource of the stack's latest operation, from its events."""

    def rollback_failures(self, stack: str) -> list[FailedResource]:
        """The resources that failed in the stack's latest rollback, from its events."""

    def rollback_stack(self, stack: str) -> None:
        """Roll a CREATE_FAILED or UPDATE_FAILED stack back to its last stable state."""

    def continue_update_rollback(self, stack: str, skip: Sequence[str] = ()) -> None:
        """Resume the rollback of an UPDATE_ROLLBACK_FAILED stack, leaving `skip` as they are."""


class Templates(Protocol):
    """Turns a workflow's template into the body CloudFormation receives: as written for
    plain CloudFormation, packaged (code built and uploaded, locations rewritten) for SAM."""

    def body(self, workflow: str, template: str) -> str:
        """`template` is the manifest's path relative to the manifest's folder; makes no AWS
        call (artifact keys are computed, not uploaded)."""

    def publish(self, workflow: str) -> None:
        """Store what the workflow's last `body` points at, before CloudFormation reads it."""


class TestRunner(Protocol):
    """Runs a `tests` workflow against the deployed environment."""

    def run(self, workflow: str, stop: Event) -> str:
        """A one-line summary when the suite passes; raises OrchestratorError when it fails,
        and `Interrupted` when `stop` is set before every check has started."""


@dataclass(frozen=True)
class StackResource:
    logical_id: str
    resource_type: str
    physical_id: str


class Inventory(Protocol):
    """What a delete must know about stacks beyond their status, and the data it may touch."""

    def resources(self, stack: str) -> list[StackResource]: ...

    def retained(self, stack: str) -> list[StackResource]:
        """Resources the deployed template keeps on delete (DeletionPolicy: Retain)."""

    def deletion_protected_tables(self, stack: str) -> list[str]: ...

    def disable_deletion_protection(self, table: str) -> None: ...

    def termination_protected(self, stack: str) -> bool: ...

    def foreign_importers(self, stack: str, deleting: set[str]) -> dict[str, list[str]]:
        """Export name -> stacks outside `deleting` that still import it."""

    def artifact_keys(self, stack: str) -> set[str]:
        """The artifact-bucket keys the stack's submitted template points at."""

    def delete_artifacts(self, keys: set[str]) -> None: ...

    def stored_count(self, resource: StackResource) -> int | None:
        """The data a resource holds: a bucket's object versions and delete markers, a table's
        items (counting stops at COUNT_LIMIT); None for a type that holds none, or one gone."""

    def empty_bucket(self, bucket: str) -> int:
        """Delete every object version and delete marker of the bucket; how many there were."""


COUNT_LIMIT = 100_000  # the preflight counts no further: a count this high reads "100000+"


@dataclass(frozen=True)
class ExistingResource:
    """A resource found by its identifier outside any deploy: does it exist, who owns it."""

    exists: bool
    owner_stack: str | None = None


class Adoptions(Protocol):
    """Finds resources a workflow may adopt, and reads templates as data to cut them down."""

    def find(self, resource_type: str, identifier: Mapping[str, str]) -> ExistingResource: ...

    def document(self, template: str) -> dict[str, object]:
        """The template (path relative to the manifest) as data with long-form intrinsics."""

    def reassert(
        self, resource_type: str, physical_id: str, properties: Mapping[str, object]
    ) -> list[str]:
        """Set, on an imported resource, the template's values an IMPORT did not apply; one
        line per correction made (or refused, with why)."""


@dataclass(frozen=True)
class StoredLock:
    """The environment's lock record as stored: its text and the version a conditional write
    must name to replace or delete it."""

    text: str
    etag: str


class LockConflict(Exception):
    """A conditional write lost: the record is not (or no longer) what the writer expected."""


class LockStore(Protocol):
    """One record per environment, changed only by conditional writes, so that of two writers
    racing for the same version one wins and the other hears `LockConflict`."""

    location: str  # where the record lives, for messages

    def now(self) -> datetime:
        """The store's clock (UTC): every machine compares lock times on the same one."""

    def read(self) -> StoredLock | None: ...

    def create(self, text: str) -> None:
        """Write the record unless one exists (LockConflict if one does)."""

    def replace(self, text: str, etag: str) -> None:
        """Overwrite the record at version `etag` (LockConflict if it changed or went)."""

    def delete(self, etag: str) -> None:
        """Delete the record at version `etag` (LockConflict if it changed or went)."""
