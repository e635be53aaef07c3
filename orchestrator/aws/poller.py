"""One poller for every stack and change set in flight, on one thread, one tick at a time.

Each watched operation has its own next look (`pacing`): first when the quickest one of its kind
(stack or change set) in this run was done, then at the next duration seen, never sooner than
`pace` allows after the last look nor later than the longest pause. Change-set creation takes
about as long for every stack of an account, so most change sets are seen ready on their first
look; a stack is first looked at no sooner than its own change set took to create, since both
grow with what the template holds. On an engine that answers at once this stays the
`first_interval`.

A tick looks at whatever is due: the stacks by the cheapest DescribeStacks (`StatusSweep`: one
sweep serves them all), each change set by its own DescribeChangeSet, since no call describes
several. Stack looks due within half the earliest one's age (at most the longest pause) wait for
the last of them, so that one sweep serves them together; a stack a sweep finds still running
keeps its own next look. Events are read only for stacks whose status changed, from the last
event seen.

Operations of an awaited stack (`prioritise`: other work of the run starts when it ends) are
where a late look costs wall time: their change sets are first looked at sooner than the
quickest one seen took (PROBE_AT), until a few such probes in a row find theirs running, then
again as soon as the next duration seen, without waiting for the quickest one's time, and
within a tenth of their age (pacing.AWAITED_GAP); their stack is first looked at
halfway through the span its change set was known to take (it was seen running at one look,
done at the next), then at its end. A stack nothing waits on keeps the cheaper pace, and every
stack look still joins the sweep of those due soon after it: not joining cost the peer bench
12 DescribeStacks of its 154-call budget (and 33 with 500 unrelated stacks in the region, where
a sweep asks by name), for no wall time the replay could see. bench/schedule.py --breakdown
measured that detection delay was all but 1 s of a deploy's time over its critical path (37 of
38 s); the replay in tests/aws/test_pacing.py pins what this costs in calls.

A throttled look is made again on a later tick, however long the storm lasts: it never fails a
deploy. A server error or a stalled read is retried a few times in a row; a refusal, a dead
endpoint, or anything else a look, an event read or a listener raises fails the waiters with
that error (a change set's look, only that change set's), so that no waiter is ever left
blocked by a dead thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from orchestrator.aws.errors import is_throttling, is_transient
from orchestrator.aws.events import EventCursor, describe_event
from orchestrator.aws.pacing import Durations, pace
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
KINDS = (_STACK, _CHANGE_SET)
# A stack look waits for the others due within this share of its operation's age, so that one
# sweep serves them all. Calls against wall time, measured by bench/peer.py on 40 stacks: 17-22
# DescribeStacks at 0.5, 28 at 0.25, 24-27 at 0; at 120 stacks 0.5 costs about 10% of the wall
# time (tests/aws/simulated_deploy.py replays such deploys on a fake clock).
JOIN_WITHIN = 0.5
# A change set seen done by a look made within this share of its age after one that found it
# running ended then; one seen done later (a scout's followers, first looked at when the scout
# was seen ready) only ended by then, and looks timed at that moment would all come as late.
SURE_WITHIN = 0.25
# An awaited change set is first looked at this share of the quickest one seen, until
# PROBES_HELD such probes in a row found theirs still running: on the peer graph, whose change
# sets are alike, that costs PROBES_HELD looks in the run.
PROBE_AT = 0.5
PROBES_HELD = 2
EventListener = Callable[[str], None]  # one line about the stack's latest event
T = TypeVar("T")


@dataclass
class _Watch(Generic[T]):
    since: float
    due: float
    futures: list[Future[T]] = field(default_factory=list)
    failed: int = 0  # looks in a row that found no answer
    awaited: bool = False  # other work waits for its end: a late look costs wall time
    pending_at: float = 0.0  # its age when a look last found it still running
    owed: float = 0.0  # an age at which it is looked at, unless a look finds it done before
    probe: bool = False  # its first look comes before the quickest one seen took


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
        self._took = {kind: Durations(first_interval, max_interval) for kind in KINDS}
        # by stack: how long its latest change set took, at least and at most
        self._hints: dict[str, tuple[float, float]] = {}
        self._awaited: set[str] = set()  # stacks whose end starts other work
        self._floor_held = 0  # probes in a row that found their change set still running
        self._seen: dict[str, str] = {}
        self._thread: threading.Thread | None = None
        self._stacks_failed = 0
        self.sweeps = 0  # looks at the stacks made (each one call or more)

    def prioritise(self, awaited: Collection[str]) -> None:
        """The stacks whose end other work of the run waits for."""
        with self._lock:
            self._awaited |= set(awaited)

    def wait(self, stack: str, on_event: EventListener | None = None) -> StackSnapshot:
        """Block until `stack` is no longer *_IN_PROGRESS (DELETE_COMPLETE when it is gone);
        `on_event` hears the latest event whenever the stack's status changes."""
        return self.watch(stack, on_event).result()

    def wait_change_set(self, change_set_id: str, stack: str = "") -> dict[str, Any]:
        """Block until the change set (of `stack`, when known) is no longer pending; its
        DescribeChangeSet answer."""
        return self.watch_change_set(change_set_id, stack).result()

    def watch(self, stack: str, on_event: EventListener | None = None) -> Future[StackSnapshot]:
        """What `wait` blocks on."""
        future: Future[StackSnapshot] = Future()
        with self._lock:
            now = self._clock()
            awaited = stack in self._awaited
            at_least, at_most = self._hints.pop(stack, (0.0, 0.0))
            # When work waits on the stack and its change set was seen running, so that how
            # long it took is known within a span: a first look halfway through that span, a
            # second at its end.
            halfway = awaited and at_least > 0
            hint = (at_least + at_most) / 2 if halfway else at_most
            first = max(self._took[_STACK].floor(), hint)
            watch = self._stacks.setdefault(stack, _Watch(now, now + min(first, self._max)))
            watch.awaited, watch.owed = awaited, at_most if halfway else 0.0
            watch.futures.append(future)
            if on_event is not None:
                self._listeners.setdefault(stack, []).append(on_event)
            self._start()
        return future

    def watch_change_set(self, change_set_id: str, stack: str = "") -> Future[dict[str, Any]]:
        """What `wait_change_set` blocks on."""
        future: Future[dict[str, Any]] = Future()
        with self._lock:
            now = self._clock()
            # Until one change set of the run is seen ready, the first one scouts for the rest:
            # they wait for its answer (at most the longest pause) instead of each looking.
            took = self._took[_CHANGE_SET]
            scouting = took.quickest() is None and bool(self._change_sets)
            first = now + (self._max if scouting else took.floor())
            watch = self._change_sets.setdefault(change_set_id, _Watch(now, first))
            watch.awaited = stack in self._awaited
            # The quickest one seen is only an upper bound: were every first look made then,
            # none could ever show a quicker one (a slow scout would hold every later change set
            # of the run to its time). Awaited ones probe sooner until a few in a row find
            # their change set still running there.
            if watch.awaited and not scouting and self._floor_held < PROBES_HELD:
                watch.due, watch.probe = now + max(self._first, took.floor() * PROBE_AT), True
            watch.futures.append(future)
            self._start()
        return future

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="stack-poller", daemon=True)
            self._thread.start()
        self._wake.set()  # the next due look may now be sooner than the current pause

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._stacks and not self._change_sets:
                    self._thread = None
                    return
                pause = self.next_look() - self._clock()
            if pause > 0:
                self._wake.wait(min(pause, self._max * 4))
                self._wake.clear()
                continue
            self.look()

    def next_look(self) -> float:
        """When the next look is due (called with the lock held, something watched): the
        earliest change set's, or the earliest stack's put off to join the stack looks due
        soon after it."""
        dues = [w.due for w in self._change_sets.values()]
        if self._stacks:
            earliest = min(self._stacks.values(), key=lambda w: w.due)
            age = earliest.due - earliest.since
            window = min(self._max, max(self._first, age * JOIN_WITHIN))
            together = [w.due for w in self._stacks.values() if w.due <= earliest.due + window]
            dues.append(max(together))
        return min(dues)

    def look(self) -> None:
        """Make the looks due now; whatever they raise fails the waiters it concerns."""
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
                self._postpone(self._stacks, [name], 0)  # a look not yet due keeps its own
                continue
            with self._lock:
                watch = self._stacks.pop(name, None)
                self._listeners.pop(name, None)
            if watch is None:
                continue
            self._learn(_STACK, watch)
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
            if watch.probe:  # the quickest seen holds: the usual first look follows
                with self._lock:
                    watch.probe, self._floor_held = False, self._floor_held + 1
                    watch.due = watch.since + self._took[_CHANGE_SET].floor()
                return
            self._postpone(self._change_sets, [change_set_id], 0)
            return
        if watch.probe:
            self._floor_held = 0  # quicker than the quickest seen: keep probing
        took = self._learn(_CHANGE_SET, watch)
        with self._lock:
            self._hints[str(described.get("StackName", ""))] = (watch.pending_at, took)
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

    def _learn(self, kind: str, watch: _Watch[Any]) -> float:
        """Learn from an operation seen done, and return how long it took (at most); change
        sets waiting for their scout look when it took (stacks need no scout: one sweep sees
        them all)."""
        now = self._clock()
        took = now - watch.since
        with self._lock:
            # A change set's end is a moment to look at again only when a look soon before
            # found it running (SURE_WITHIN). Every stack end is learned: their durations
            # repeat across a project, and on the peer graph learning only the sure ones made
            # the replay's wall 1.16 -> 1.52 of the bound.
            sure = kind == _STACK or took - watch.pending_at <= max(self._first, took * SURE_WITHIN)
            self._took[kind].learn(took, sure=sure)
            quickest = self._took[kind].floor()
            for waiting in self._change_sets.values() if kind == _CHANGE_SET else []:
                waiting.due = min(waiting.due, max(now, waiting.since + quickest))
        return took

    def _postpone(self, watches: dict[str, _Watch[Any]], names: list[str], failed: int) -> None:
        """The next look at the next duration seen; after looks that found no answer, paced by
        age and later still the more of them failed in a row."""
        kind = _STACK if watches is self._stacks else _CHANGE_SET
        now = self._clock()
        with self._lock:
            took = self._took[kind]
            for name in names:
                watch = watches.get(name)
                if watch is None:
                    continue
                age = now - watch.since
                if failed:
                    watch.due = now + pace(age, took.floor(), self._max) * 2 ** min(failed, 3)
                else:
                    watch.pending_at = age
                    # only a change set looks closer: a stack's sweep serves every stack, so
                    # closer looks at the awaited ones would look at all of them (the peer
                    # bench's budget)
                    closer = watch.awaited and kind == _CHANGE_SET
                    next_age = took.next_age(age, awaited=closer)
                    if age < watch.owed < next_age:  # owed once
                        next_age, watch.owed = watch.owed, 0.0
                    watch.due = max(watch.due, watch.since + next_age)

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
