"""A ready-queue over a workflow graph: each workflow starts the moment its own prerequisites
have finished and a slot is free, never level by level.

A failure skips everything that depends on it while independent work finishes; an interrupt
stops starting work, lets what is in flight end (it watches the same stop event) and reports
the rest as not started.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from threading import Event

from orchestrator.engine.ports import RunObserver
from orchestrator.engine.results import WorkflowResult, WorkflowStatus
from orchestrator.errors import OrchestratorError, UsageError
from orchestrator.graph import WorkflowGraph

Work = Callable[[str], WorkflowResult]


@dataclass(frozen=True)
class Schedule:
    results: dict[str, WorkflowResult]
    interrupted: bool


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
    running: dict[Future[WorkflowResult], str] = {}
    interrupted = False
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="workflow") as pool:
        while True:
            try:
                while not stop.is_set() and len(running) < concurrency and queue.ready:
                    workflow = queue.ready.pop(0)
                    observer.started(workflow)
                    running[pool.submit(_guarded, work, workflow)] = workflow
                if not running:
                    break
                done, _ = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                interrupted = True
                stop.set()  # in-flight work sees it and cancels what it can
                continue
            for future in done:
                result = future.result()
                del running[future]
                queue.finish(result)
                observer.finished(result)
                for skipped in queue.skipped_by(result):
                    observer.finished(skipped)
    for workflow in queue.not_started():
        result = WorkflowResult(
            workflow, WorkflowStatus.SKIPPED, error="not started: the run was interrupted"
        )
        queue.results[workflow] = result
        observer.finished(result)
    ordered = {name: queue.results[name] for name in graph.order()}
    return Schedule(ordered, interrupted or stop.is_set())


def _guarded(work: Work, workflow: str) -> WorkflowResult:
    """A workflow's exception is its failure, never the run's."""
    started = time.monotonic()
    try:
        return work(workflow)
    except OrchestratorError as error:
        message = "; ".join(error.lines())
    except Exception as error:  # a bug in one workflow must not take the others down
        message = f"internal error: {type(error).__name__}: {error}"
    return WorkflowResult(
        workflow, WorkflowStatus.FAILED, seconds=time.monotonic() - started, error=message
    )


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
            reason = f"skipped: needs {result.workflow}, which {result.status.value}"
            skip = WorkflowResult(dependent, WorkflowStatus.SKIPPED, error=reason)
            self.results[dependent] = skip
            skipped += [skip, *self.skipped_by(skip)]
        return skipped

    def not_started(self) -> list[str]:
        return [w for w in self._graph.order() if w not in self.results]
