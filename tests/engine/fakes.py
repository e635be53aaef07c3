"""Hand-written fakes of the engine's ports: a recording observer, an in-memory CloudFormation."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from orchestrator.engine.ports import (
    ChangeSetOutcome,
    ChangeSetRequest,
    FailedResource,
    LockConflict,
    StackSnapshot,
    StoredLock,
)
from orchestrator.engine.results import WorkflowResult


@dataclass
class RecordingObserver:
    events: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def started(self, workflow: str) -> None:
        with self.lock:
            self.events.append(("started", workflow))

    def phase(self, workflow: str, text: str) -> None:
        with self.lock:
            self.events.append(("phase", f"{workflow}: {text}"))

    def finished(self, result: WorkflowResult) -> None:
        with self.lock:
            self.events.append((result.status.value, result.workflow))

    def interrupting(self, in_flight: list[str]) -> None:
        with self.lock:
            self.events.append(("interrupting", ", ".join(in_flight)))


@dataclass
class FakeStacks:
    """Stacks as CloudFormation keeps them, with the calls made, for asserting on."""

    stacks: dict[str, StackSnapshot] = field(default_factory=dict)
    fail: dict[str, FailedResource] = field(default_factory=dict)  # stack -> failure on execute
    calls: list[str] = field(default_factory=list)
    change_sets: dict[str, ChangeSetRequest] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=itertools.count)
    bodies: dict[str, str] = field(default_factory=dict)  # stack -> template last executed
    # stack -> the resources whose rollback fails (until skipped): UPDATE_ROLLBACK_FAILED
    stuck: dict[str, list[FailedResource]] = field(default_factory=dict)
    awaited: set[str] = field(default_factory=set)  # stacks a deploy said others wait on

    def prioritise(self, awaited: Collection[str]) -> None:
        self.awaited |= set(awaited)

    def snapshot(self, names: Sequence[str]) -> dict[str, StackSnapshot]:
        self.calls.append("snapshot")
        return {n: self.stacks[n] for n in names if n in self.stacks}

    def create_change_set(self, request: ChangeSetRequest) -> str:
        self.calls.append(f"create_change_set {request.stack} {request.change_set_type}")
        if request.change_set_type in ("CREATE", "IMPORT") and request.stack not in self.stacks:
            self.stacks[request.stack] = StackSnapshot(request.stack, "REVIEW_IN_PROGRESS")
        change_set = f"cs-{next(self.ids)}"
        self.change_sets[change_set] = request
        return change_set

    def wait_change_set(self, change_set_id: str) -> ChangeSetOutcome:
        request = self.change_sets[change_set_id]
        current = self.stacks.get(request.stack)
        same_body = self.bodies.get(request.stack) == request.template_body
        # what failed is retried by the next update, even of the same template
        failed = current is not None and current.status.endswith("_FAILED")
        if current and current.tags and same_body and _same(current, request) and not failed:
            return ChangeSetOutcome(
                "FAILED", "The submitted information didn't contain changes.", empty=True
            )
        return ChangeSetOutcome("CREATE_COMPLETE", changes=[{"action": "Add"}])

    def delete_change_set(self, change_set_id: str) -> None:
        self.calls.append(f"delete_change_set {change_set_id}")

    def execute_change_set(self, change_set_id: str, disable_rollback: bool = False) -> None:
        request = self.change_sets[change_set_id]
        kept = " (no rollback)" if disable_rollback else ""
        self.calls.append(f"execute_change_set {request.stack}{kept}")
        verb = request.change_set_type
        if request.stack in self.fail and disable_rollback:
            status = f"{verb}_FAILED"
        elif request.stack in self.fail:
            status = "ROLLBACK_COMPLETE" if verb == "CREATE" else "UPDATE_ROLLBACK_COMPLETE"
        else:
            status = f"{verb}_COMPLETE"
        outputs = {f"{k}Out": v for k, v in request.parameters.items()}
        self.bodies[request.stack] = request.template_body
        self.stacks[request.stack] = StackSnapshot(
            request.stack, status, tags=request.tags, outputs=outputs
        )

    def wait_stack(
        self, stack: str, on_event: Callable[[str], None] | None = None
    ) -> StackSnapshot:
        self.calls.append(f"wait_stack {stack}")
        if on_event is not None:
            on_event(f"{stack} event")
        current = self.stacks.get(stack)
        if current is None:
            return StackSnapshot(stack, "DELETE_COMPLETE")
        if current.status.endswith("_IN_PROGRESS") and current.status != "REVIEW_IN_PROGRESS":
            settled = current.status.replace("_IN_PROGRESS", "_COMPLETE")
            self.stacks[stack] = replace(current, status=settled)
        return self.stacks[stack]

    def delete_stack(self, stack: str) -> None:
        self.calls.append(f"delete_stack {stack}")
        self.stacks.pop(stack, None)

    def first_failure(self, stack: str) -> FailedResource | None:
        return self.fail.get(stack)

    def rollback_failures(self, stack: str) -> list[FailedResource]:
        return list(self.stuck.get(stack, []))

    def rollback_stack(self, stack: str) -> None:
        self.calls.append(f"rollback_stack {stack}")
        current = self.stacks[stack]
        if current.status == "CREATE_FAILED":
            settled = "ROLLBACK_COMPLETE"
        else:
            settled = (
                "UPDATE_ROLLBACK_FAILED" if stack in self.stuck else "UPDATE_ROLLBACK_COMPLETE"
            )
        self.stacks[stack] = replace(current, status=settled)

    def continue_update_rollback(self, stack: str, skip: Sequence[str] = ()) -> None:
        self.calls.append(f"continue_update_rollback {stack} {' '.join(skip)}".rstrip())
        left = [f for f in self.stuck.get(stack, []) if f.logical_id not in skip]
        self.stuck[stack] = left
        settled = "UPDATE_ROLLBACK_FAILED" if left else "UPDATE_ROLLBACK_COMPLETE"
        self.stacks[stack] = replace(self.stacks[stack], status=settled)


def _same(current: StackSnapshot, request: ChangeSetRequest) -> bool:
    return dict(current.outputs) == {f"{k}Out": v for k, v in request.parameters.items()}


@dataclass
class FakeLockStore:
    """A lock record in memory with S3's conditional-write rules, a clock the test moves, and
    `races`: writes another machine lands just before our next conditional write."""

    clock: datetime = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    stored: StoredLock | None = None
    races: list[Callable[[FakeLockStore], None]] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    versions: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    location: str = "memory://locks/dev.json"

    def now(self) -> datetime:
        return self.clock

    def advance(self, seconds: float) -> None:
        self.clock += timedelta(seconds=seconds)

    def read(self) -> StoredLock | None:
        return self.stored

    def put(self, text: str) -> None:
        """An unconditional write, as another machine's winning write lands."""
        self.stored = StoredLock(text, f'"v{next(self.versions)}"')

    def create(self, text: str) -> None:
        self._race()
        if self.stored is not None:
            raise LockConflict("PreconditionFailed")
        self.writes.append("create")
        self.put(text)

    def replace(self, text: str, etag: str) -> None:
        self._race()
        if self.stored is None or self.stored.etag != etag:
            raise LockConflict("PreconditionFailed")
        self.writes.append("replace")
        self.put(text)

    def delete(self, etag: str) -> None:
        self._race()
        if self.stored is None or self.stored.etag != etag:
            raise LockConflict("PreconditionFailed")
        self.writes.append("delete")
        self.stored = None

    def _race(self) -> None:
        if self.races:
            self.races.pop(0)(self)
