"""One poller for every stack and change set in flight, on one thread, one tick at a time.

Each watched operation has its own next look, paced by its age (`pace`): soon while it is young,
every few seconds once it runs for minutes. A tick looks at whatever is due: the stacks by the
cheapest DescribeStacks (`StatusSweep`: one sweep serves them all), each change set by its own
DescribeChangeSet, since no call describes several. No operation is looked at sooner, or more
often, than the quickest one of its kind (stack or change set) in this run took: change-set
creation takes about as long for every stack of an account, so most change sets are seen ready
on their first look, and a look more often than the quickest operation finds nothing new. On an
engine that answers at once this stays the `first_interval`. Events are read only for stacks
whose status changed, from the last event seen.

A throttled look is made again on a later tick, however long the storm lasts: it never fails a
deploy. A server error or a stalled read is retried a few times in a row; a refusal, a dead
endpoint, or anything else a look, an event read or a listener raises fails the waiters with
that error (a change set's look, only that change set's), so that no waiter is ever left
blocked by a dead thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from orchestrator.aws.errors import is_throttling, is_transient
from orchestrator.aws.events import EventCursor, describe_event
from orchestrator.aws.sweep import StatusSweep
from orchestrator.engine.ports import StackSnapshot

_MAX_TRANSIENT = 6  # failed looks in a row (not throttled ones) before the waiters are failed
PENDING_CHANGE_SET = {
    "CREATE_PENDING",
    "CREATE_IN_PROGRESS",
    "DELETE_PENDING",
    "DELETE_IN_PROGRESS",
}
_STACK, _CHANGE_SET = "stack", "change set"  # the kinds of operation watched
EventListener = Callable[[str], None]  # one line about the stack's latest event
T = TypeVar("T")


def pace(age: float, fastest: float, slowest: float) -> float:
    """Seconds until the next look at an operation running for `age` seconds.

    A twentieth of the age while it is young, so a stack done in seconds is seen done within
    5% of its time; past 12 s the pause grows with the square of the age, so a stack that runs
    for minutes costs one look every few seconds (bench/schedule.py and bench/api_calls.py
    measure both ends).
    """
    young = age / 20
    return min(slowest, max(fastest, young * max(1.0, age / 12)))


@dataclass
class _Watch(Generic[T]):
    since: float
    due: float
    futures: list[Future[T]] = field(default_factory=list)
    failed: int = 0  # looks in a row that found no answer


class StackPoller:
    def __init__(
        self,
        client: Any,
        *,
        first_interval: float = 0.2,
        max_interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        sweep: StatusSweep | None = None,
    ) -> None:
        self._client = client
        self._first = first_interval
        self._max = max_interval
        self._clock = clock
        self._sweep = sweep or StatusSweep(client)
        self._events = EventCursor(client)
        self._listeners: dict[str, list[EventListener]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stacks: dict[str, _Watch[StackSnapshot]] = {}
        self._change_sets: dict[str, _Watch[dict[str, Any]]] = {}
        self._quickest: dict[str, float] = {}  # by kind: the shortest operation seen
        self._seen: dict[str, str] = {}
        self._thread: threading.Thread | None = None
        self._stacks_failed = 0
        self.sweeps = 0  # looks at the stacks made (each one call or more)

    def wait(self, stack: str, on_event: EventListener | None = None) -> StackSnapshot:
        """Block until `stack` is no longer *_IN_PROGRESS (DELETE_COMPLETE when it is gone);
        `on_event` hears the latest event whenever the stack's status changes."""
        future: Future[StackSnapshot] = Future()
        with self._lock:
            now = self._clock()
            watch = self._stacks.setdefault(stack, _Watch(now, now + self._floor(_STACK)))
            watch.futures.append(future)
            if on_event is not None:
                self._listeners.setdefault(stack, []).append(on_event)
            self._start()
        return future.result()

    def wait_change_set(self, change_set_id: str) -> dict[str, Any]:
        """Block until the change set is no longer pending; its DescribeChangeSet answer."""
        future: Future[dict[str, Any]] = Future()
        with self._lock:
            now = self._clock()
            # Until one change set of the run is seen ready, the first one scouts for the rest:
            # they wait for its answer (at most the longest pause) instead of each looking.
            scouting = _CHANGE_SET not in self._quickest and bool(self._change_sets)
            first = now + (self._max if scouting else self._floor(_CHANGE_SET))
            watch = self._change_sets.setdefault(change_set_id, _Watch(now, first))
            watch.futures.append(future)
            self._start()
        return future.result()

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="stack-poller", daemon=True)
            self._thread.start()
        self._wake.set()  # the next due look may now be sooner than the current pause

    def _run(self) -> None:
        while True:
            with self._lock:
                dues = [w.due for w in self._stacks.values()]
                dues += [w.due for w in self._change_sets.values()]
                if not dues:
                    self._thread = None
                    return
                pause = min(dues) - self._clock()
            if pause > 0:
                self._wake.wait(min(pause, self._max * 4))
                self._wake.clear()
                continue
            try:
                self._tick()
            except Exception as error:  # the thread must outlive anything a look raises
                self._fail_all(error)

    def _tick(self) -> None:
        now = self._clock()
        with self._lock:
            due_sets = [i for i, w in self._change_sets.items() if w.due <= now]
            stacks = {n: w.due <= now for n, w in self._stacks.items()}
        for change_set_id in due_sets:
            self._look_at_change_set(change_set_id)
        if any(stacks.values()):
            self._look_at_stacks(list(stacks), [n for n, due in stacks.items() if due])

    def _look_at_stacks(self, watched: list[str], due: list[str]) -> None:
        # A full sweep answers for every watched stack: ask for all when it costs no more.
        names = watched if len(due) >= self._sweep.sweep_cost() else due
        try:
            snapshots = self._sweep.describe(names)
        except Exception as error:
            if not _look_again(error, self._stacks_failed):
                raise
            self._stacks_failed += 1
            self._postpone(self._stacks, names, self._stacks_failed)
            return
        self.sweeps += 1
        self._stacks_failed = 0
        self._settle(names, snapshots)

    def _settle(self, names: list[str], snapshots: dict[str, StackSnapshot]) -> None:
        for name in names:
            snapshot = snapshots.get(name) or StackSnapshot(name, "DELETE_COMPLETE")
            before = self._seen.get(name)
            if before != snapshot.status:
                self._seen[name] = snapshot.status
                # Events are worth a call when an operation turns mid-way (a rollback begins,
                # cleanup starts); its start says nothing new, and its end is reported anyway.
                if before is not None and snapshot.status.endswith("_IN_PROGRESS"):
                    self._tell(name)
            if snapshot.status.endswith("_IN_PROGRESS"):
                self._postpone(self._stacks, [name], 0)
                continue
            with self._lock:
                watch = self._stacks.pop(name, None)
                self._listeners.pop(name, None)
            if watch is None:
                continue
            self._took(_STACK, watch.since)
            for future in watch.futures:
                future.set_result(snapshot)

    def _look_at_change_set(self, change_set_id: str) -> None:
        watch = self._change_sets[change_set_id]
        try:
            described = dict(self._client.describe_change_set(ChangeSetName=change_set_id))
        except Exception as error:
            if not _look_again(error, watch.failed):
                self._finish(change_set_id, error=error)
                return
            watch.failed += 1
            self._postpone(self._change_sets, [change_set_id], watch.failed)
            return
        watch.failed = 0
        if str(described.get("Status", "")) in PENDING_CHANGE_SET:
            self._postpone(self._change_sets, [change_set_id], 0)
            return
        self._took(_CHANGE_SET, watch.since)
        self._finish(change_set_id, described=described)

    def _finish(
        self,
        change_set_id: str,
        *,
        described: dict[str, Any] | None = None,
        error: Exception | None = None,
    ) -> None:
        with self._lock:
            watch = self._change_sets.pop(change_set_id, None)
        for future in watch.futures if watch else []:
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(described or {})

    def _floor(self, kind: str) -> float:
        """The shortest pause before a look: the quickest operation of the kind seen (called
        with the lock held)."""
        return min(self._max, max(self._first, self._quickest.get(kind, 0.0)))

    def _took(self, kind: str, since: float) -> None:
        """Learn from an operation seen done; change sets waiting for their scout look when
        it took (stacks need no scout: one sweep looks at them all)."""
        now = self._clock()
        took = now - since
        with self._lock:
            self._quickest[kind] = quickest = min(took, self._quickest.get(kind, took))
            for watch in self._change_sets.values() if kind == _CHANGE_SET else []:
                watch.due = min(watch.due, max(now, watch.since + quickest))

    def _postpone(self, watches: dict[str, _Watch[Any]], names: list[str], failed: int) -> None:
        """The next look, paced by age; later still after looks that found no answer."""
        kind = _STACK if watches is self._stacks else _CHANGE_SET
        now = self._clock()
        with self._lock:
            floor = self._floor(kind)
            for name in names:
                watch = watches.get(name)
                if watch is not None:
                    wait = pace(now - watch.since, floor, self._max) * 2 ** min(failed, 3)
                    watch.due = now + wait

    def _tell(self, name: str) -> None:
        """Events are read only for a stack whose status changed, and only if someone listens."""
        with self._lock:
            listeners = list(self._listeners.get(name, []))
        if not listeners:
            return
        events = self._events.new_events(name)
        # The newest event of a resource says more than the stack's own "CREATE_COMPLETE".
        resources = [e for e in events if e.get("LogicalResourceId") != name]
        latest = (resources or events)[-1:]
        for event in latest:
            for listener in listeners:
                try:
                    listener(describe_event(event))
                except Exception:  # progress display only: the wait goes on
                    continue

    def _fail_all(self, error: Exception) -> None:
        with self._lock:
            stacks, self._stacks = self._stacks, {}
            change_sets, self._change_sets = self._change_sets, {}
            self._listeners.clear()
        futures: list[Future[Any]] = [f for w in stacks.values() for f in w.futures]
        futures += [f for w in change_sets.values() for f in w.futures]
        for future in futures:
            future.set_exception(error)


def _look_again(error: Exception, failed_before: int) -> bool:
    """Whether a failed look is worth another tick rather than failing its waiters."""
    if isinstance(error, ClientError):
        if is_throttling(error):
            return True  # the storm passes; giving up would fail deploys that succeed
        return is_transient(error) and failed_before < _MAX_TRANSIENT
    return isinstance(error, BotoCoreError) and failed_before < _MAX_TRANSIENT
