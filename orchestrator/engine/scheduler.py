"""A ready-queue over a workflow graph: each workflow starts the moment its own prerequisites
have finished and a slot is free, never level by level.

A failure skips everything that depends on it while independent work finishes. Nothing new
starts once the run is stopped: by Ctrl-C (the first is acknowledged at once, and in-flight
work, which watches the same stop event, ends or cancels what it can; a second stops waiting
for it and reports it `interrupted`), or by an error that every workflow would meet (a dead
endpoint), which is the run's one-line reason.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from threading import Event
from types import FrameType

from orchestrator.engine.ports import RunObserver
from orchestrator.engine.results import RunResult, WorkflowResult, WorkflowStatus
from orchestrator.errors import Interrupted, OrchestratorError, UsageError
from orchestrator.graph import WorkflowGraph

Work = Callable[[str], WorkflowResult]
WORKER_THREADS = "workflow"  # the name prefix of the threads workflows run on
TICK = 0.2  # seconds: how soon the loop notices a Ctrl-C while waiting on work in flight
ABANDONED = (
    "still in progress when firefly stopped waiting: its stack may still be changing; "
    "'firefly status' shows it, and the next run waits for it to end"
)


@dataclass(frozen=True)
class Schedule:
    results: dict[str, WorkflowResult]
    interrupted: bool
    abandoned: bool = False
    aborted: str | None = None


def run_result(env: str, action: str, schedule: Schedule) -> RunResult:
    return RunResult(
        env,
        action,
        schedule.results,
        schedule.interrupted,
        abandoned=schedule.abandoned,
        aborted=schedule.aborted,
    )


@dataclass
class _Outcome:
    result: WorkflowResult
    aborts: str | None = None  # the error's line when it stops the whole run


def run_graph(
    graph: WorkflowGraph,
    work: Work,
    *,
    concurrency: int,
    observer: RunObserver,
    stop: Event | None = None,
) -> Schedule:
    """Run `work` for every workflow of `graph`; results come back in the graph's order."""
    if concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    queue = _ReadyQueue(graph)
    stop = stop or Event()
    running: dict[Future[_Outcome], str] = {}
    aborted: str | None = None
    heard = 0  # Ctrl-Cs acknowledged so far
    begun: dict[str, datetime] = {}
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix=WORKER_THREADS)
    with _interrupts(stop) as interrupts:
        try:
            while True:
                while not stop.is_set() and len(running) < concurrency and queue.ready:
                    workflow = queue.ready.pop(0)
                    observer.started(workflow)
                    begun[workflow] = _now()
                    running[pool.submit(_guarded, work, workflow)] = workflow
                if not running:
                    break
                if len(interrupts) > heard:
                    heard = len(interrupts)
                    if heard > 1:
                        break  # the second Ctrl-C: stop waiting for what is in flight
                    observer.interrupting(sorted(running.values()))
                done, _ = wait(running, timeout=TICK, return_when=FIRST_COMPLETED)
                for future in done:
                    outcome = future.result()
                    del running[future]
                    if outcome.aborts and aborted is None:
                        aborted = outcome.aborts
                        stop.set()
                    _finish(queue, outcome.result, observer)
        finally:
            pool.shutdown(wait=not running, cancel_futures=True)
    for workflow in sorted(running.values()):
        left = WorkflowResult(
            workflow, WorkflowStatus.INTERRUPTED, error=ABANDONED, started_at=begun[workflow]
        )
        _finish(queue, left, observer)
    why = f"not started: {aborted}" if aborted else "not started: the run was interrupted"
    for workflow in queue.not_started():
        result = WorkflowResult(workflow, WorkflowStatus.SKIPPED, error=why)
        queue.results[workflow] = result
        observer.finished(result)
    ordered = {name: queue.results[name] for name in graph.order()}
    interrupted = bool(interrupts) or (stop.is_set() and aborted is None)
    return Schedule(ordered, interrupted, abandoned=bool(running), aborted=aborted)


def abandoned_work() -> bool:
    """Whether a workflow still runs that a run stopped waiting for (a second Ctrl-C)."""
    return any(t.name.startswith(WORKER_THREADS) and t.is_alive() for t in threading.enumerate())


def _finish(queue: _ReadyQueue, result: WorkflowResult, observer: RunObserver) -> None:
    queue.finish(result)
    observer.finished(result)
    for skipped in queue.skipped_by(result):
        observer.finished(skipped)


@contextmanager
def _interrupts(stop: Event) -> Iterator[list[float]]:
    """Ctrl-C, counted instead of raised while the run is on (on the main thread, where
    signals arrive): the first stops new work at once, without a KeyboardInterrupt landing
    in whatever the loop was doing."""
    heard: list[float] = []
    if threading.current_thread() is not threading.main_thread():
        yield heard
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        heard.append(time.monotonic())
        stop.set()

    previous = signal.signal(signal.SIGINT, handle)
    try:
        yield heard
    finally:
        signal.signal(signal.SIGINT, previous)


def _now() -> datetime:
    return datetime.now(UTC)


def _guarded(work: Work, workflow: str) -> _Outcome:
    """A workflow's exception is its failure, never the run's (unless every workflow would
    meet it: then it is also the reason the run stops)."""
    started_at, started = _now(), time.monotonic()
    aborts = None
    try:
        result = work(workflow)
    except OrchestratorError as error:
        message = "; ".join(error.lines())
        aborts = message if error.aborts_run else None
        result = WorkflowResult(workflow, status_of(error), error=message)
    except Exception as error:  # a bug in one workflow must not take the others down
        message = f"internal error: {type(error).__name__}: {error}"
        result = WorkflowResult(workflow, WorkflowStatus.FAILED, error=message)
    if not result.seconds:
        result = replace(result, seconds=time.monotonic() - started)
    return _Outcome(replace(result, started_at=started_at, finished_at=_now()), aborts)


def status_of(error: OrchestratorError) -> WorkflowStatus:
    """What a workflow that raised `error` reports."""
    return WorkflowStatus.INTERRUPTED if isinstance(error, Interrupted) else WorkflowStatus.FAILED


# How a dependent's skip reason names what became of the workflow it needed.
_BLOCKING = {
    WorkflowStatus.FAILED: "failed",
    WorkflowStatus.SKIPPED: "was skipped",
    WorkflowStatus.INTERRUPTED: "was interrupted",
}


class _ReadyQueue:
    def __init__(self, graph: WorkflowGraph) -> None:
        self._graph = graph
        self._waiting = {w: len(graph.prerequisites(w)) for w in graph.order()}
        self.ready = [w for w in graph.order() if self._waiting[w] == 0]
        self.results: dict[str, WorkflowResult] = {}

    def finish(self, result: WorkflowResult) -> None:
        self.results[result.workflow] = result
        if not result.succeeded:
            return
        for dependent in self._graph.dependents(result.workflow):
            self._waiting[dependent] -= 1
            if self._waiting[dependent] == 0 and dependent not in self.results:
                self.ready.append(dependent)

    def skipped_by(self, result: WorkflowResult) -> list[WorkflowResult]:
        """Everything downstream of a failed or skipped workflow, marked skipped once."""
        if result.succeeded:
            return []
        skipped = []
        for dependent in self._graph.dependents(result.workflow):
            if dependent in self.results:
                continue
            reason = f"needs {result.workflow}, which {_BLOCKING[result.status]}"
            skip = WorkflowResult(dependent, WorkflowStatus.SKIPPED, error=reason)
            self.results[dependent] = skip
            skipped += [skip, *self.skipped_by(skip)]
        return skipped

    def not_started(self) -> list[str]:
        return [w for w in self._graph.order() if w not in self.results]
