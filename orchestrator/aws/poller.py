"""One poller for every stack in flight: a batched DescribeStacks sweep per tick.

Per-stack waiters cost ~30 calls per stack per minute; with twenty stacks in flight they
throttle each other. Here one thread sweeps all watched stacks at once, and reads events only
for stacks whose status changed, from the last event seen. The pace follows the youngest
operation watched (`pace`): fast while it is young, settling to one sweep every few seconds
for long operations.

A throttled sweep is looked at again on a later tick, however long the storm lasts: it never
fails a deploy. A server error or a stalled read is retried a few times in a row; a refusal,
a dead endpoint, or anything else a sweep, an event read or a listener raises fails the
waiters with that error, so that no waiter is ever left blocked by a dead thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from orchestrator.aws.errors import is_stack_missing, is_throttling, is_transient
from orchestrator.aws.events import EventCursor, describe_event
from orchestrator.engine.ports import StackSnapshot

_MAX_TRANSIENT = 6  # failed sweeps in a row (not throttled ones) before the waiters are failed
EventListener = Callable[[str], None]  # one line about the stack's latest event


def pace(age: float, fastest: float, slowest: float) -> float:
    """Seconds until the next look at an operation running for `age` seconds.

    A twentieth of the age while it is young, so a stack done in seconds is seen done within
    5% of its time; past 12 s the pause grows with the square of the age, so a stack that runs
    for minutes costs one look every few seconds (bench/schedule.py and bench/api_calls.py
    measure both ends).
    """
    young = age / 20
    return min(slowest, max(fastest, young * max(1.0, age / 12)))


def to_snapshot(stack: dict[str, Any]) -> StackSnapshot:
    return StackSnapshot(
        name=str(stack["StackName"]),
        status=str(stack["StackStatus"]),
        stack_id=str(stack.get("StackId", "")),
        tags={str(t["Key"]): str(t["Value"]) for t in stack.get("Tags") or []},
        outputs={
            str(o["OutputKey"]): str(o.get("OutputValue", "")) for o in stack.get("Outputs") or []
        },
        reason=str(stack.get("StackStatusReason", "")),
    )


def describe(client: Any, names: Iterable[str]) -> dict[str, StackSnapshot]:
    """The named stacks that exist: one call for one stack, else one paginated sweep."""
    wanted = set(names)
    if not wanted:
        return {}
    if len(wanted) == 1:
        (name,) = wanted
        try:
            stacks = client.describe_stacks(StackName=name)["Stacks"]
        except ClientError as error:
            if is_stack_missing(error):
                return {}
            raise
        return {name: to_snapshot(stacks[0])} if stacks else {}
    found = {}
    for page in client.get_paginator("describe_stacks").paginate():
        for stack in page["Stacks"]:
            if stack["StackName"] in wanted:
                found[str(stack["StackName"])] = to_snapshot(stack)
    return found


class StackPoller:
    def __init__(
        self,
        client: Any,
        *,
        first_interval: float = 0.2,
        max_interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._first = first_interval
        self._max = max_interval
        self._clock = clock
        self._events = EventCursor(client)
        self._listeners: dict[str, list[EventListener]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._watches: dict[str, list[Future[StackSnapshot]]] = {}
        self._since: dict[str, float] = {}
        self._seen: dict[str, str] = {}
        self._thread: threading.Thread | None = None
        self.sweeps = 0  # for the benchmarks: DescribeStacks sweeps made

    def wait(self, stack: str, on_event: EventListener | None = None) -> StackSnapshot:
        """Block until `stack` is no longer *_IN_PROGRESS (DELETE_COMPLETE when it is gone);
        `on_event` hears the latest event whenever the stack's status changes."""
        future: Future[StackSnapshot] = Future()
        with self._lock:
            self._watches.setdefault(stack, []).append(future)
            if on_event is not None:
                self._listeners.setdefault(stack, []).append(on_event)
            self._since.setdefault(stack, self._clock())
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="stack-poller", daemon=True)
                self._thread.start()
        self._wake.set()  # a young operation: look soon, not after the current long pause
        return future.result()

    def _run(self) -> None:
        failed = 0  # sweeps in a row that found no answer
        while True:
            with self._lock:
                names = list(self._watches)
                if not names:
                    self._thread = None
                    return
                youngest = self._clock() - max(self._since[n] for n in names)
            interval = pace(youngest, self._first, self._max) * (2 ** min(failed, 3))
            self._wake.wait(min(interval, self._max * 4))
            self._wake.clear()
            try:
                snapshots = describe(self._client, names)
                self.sweeps += 1
                failed = 0
                self._settle(names, snapshots)
            except Exception as error:  # the thread must outlive anything a sweep raises
                if _look_again(error, failed):
                    failed += 1
                    continue
                self._fail_all(error)

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
            if not snapshot.status.endswith("_IN_PROGRESS"):
                with self._lock:
                    futures = self._watches.pop(name, [])
                    self._since.pop(name, None)
                    self._listeners.pop(name, None)
                for future in futures:
                    future.set_result(snapshot)

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
            watches, self._watches = self._watches, {}
            self._since.clear()
            self._listeners.clear()
        for futures in watches.values():
            for future in futures:
                future.set_exception(error)


def _look_again(error: Exception, failed_before: int) -> bool:
    """Whether a failed sweep is worth another tick rather than failing every waiter."""
    if isinstance(error, ClientError):
        if is_throttling(error):
            return True  # the storm passes; giving up would fail deploys that succeed
        return is_transient(error) and failed_before < _MAX_TRANSIENT
    return isinstance(error, BotoCoreError) and failed_before < _MAX_TRANSIENT
