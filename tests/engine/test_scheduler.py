"""The ready-queue: order, parallelism bound, skips after a failure, interruption."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from orchestrator.engine.results import WorkflowResult, WorkflowStatus
from orchestrator.engine.scheduler import ABANDONED, run_graph
from orchestrator.errors import EndpointUnreachable, Interrupted, OrchestratorError, UsageError
from orchestrator.graph import WorkflowGraph, deploy_graph
from orchestrator.manifest import load_manifest
from tests.engine.fakes import RecordingObserver
from tests.waiting import wait_until

# a -> c, b -> c, c -> d; e alone; b -> f
MANIFEST = """
    version: 1
    project: demo
    environments:
      local: {region: us-east-1, sandbox: true}
    workflows:
      a: {type: cloudformation, template: a.yaml, description: A}
      b: {type: cloudformation, template: b.yaml, description: B}
      c: {type: cloudformation, template: c.yaml, description: C,
          deploy: {needs: {a: A first, b: B first}}}
      d: {type: cloudformation, template: d.yaml, description: D, deploy: {needs: {c: C first}}}
      e: {type: cloudformation, template: e.yaml, description: E}
      f: {type: cloudformation, template: f.yaml, description: F, deploy: {needs: {b: B first}}}
    """
DEADLINE = 30.0  # seconds a workflow waits for another before the test gives up on it


@pytest.fixture
def graph(write_manifest: Callable[[str], Path]) -> WorkflowGraph:
    return deploy_graph(load_manifest(write_manifest(MANIFEST)))


def ok(name: str) -> WorkflowResult:
    return WorkflowResult(name, WorkflowStatus.DEPLOYED)


def test_every_workflow_starts_after_its_prerequisites_finished(graph: WorkflowGraph) -> None:
    finished: list[str] = []
    lock = threading.Lock()

    def work(name: str) -> WorkflowResult:
        with lock:
            for before in graph.prerequisites(name):
                assert before in finished, f"{name} started before {before} finished"
        with lock:
            finished.append(name)
        return ok(name)

    schedule = run_graph(graph, work, concurrency=3, observer=RecordingObserver())

    assert sorted(finished) == ["a", "b", "c", "d", "e", "f"]
    assert list(schedule.results) == graph.order()
    assert not schedule.interrupted


def test_concurrency_bounds_the_workflows_in_flight(graph: WorkflowGraph) -> None:
    """Each workflow holds its slot until two have been in flight together (or the deadline
    passes): a serial scheduler never gets there, and a broken bound starts a third."""
    in_flight, peak = 0, 0
    lock = threading.Lock()
    two_together = threading.Event()
    alone: list[str] = []

    def work(name: str) -> WorkflowResult:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
            if in_flight == 2:
                two_together.set()
        try:
            if not two_together.wait(timeout=DEADLINE):
                alone.append(name)
                two_together.set()  # one report is enough: let the rest run without waiting
        finally:
            with lock:
                in_flight -= 1
        return ok(name)

    observer = RecordingObserver()
    run_graph(graph, work, concurrency=2, observer=observer)

    assert not alone, f"{alone} never had company: the workflows ran one at a time"
    assert peak == 2
    # What the scheduler had handed out and not yet seen finish: never more than the bound,
    # whatever the threads' timing (a third start would show here even if it ran late).
    handed_out, most = 0, 0
    for event, _ in observer.events:
        handed_out += 1 if event == "started" else -1
        most = max(most, handed_out)
    assert most == 2, f"{most} workflows were handed out at once with --concurrency 2"


def test_a_dependent_starts_without_waiting_for_its_whole_level(graph: WorkflowGraph) -> None:
    """f needs only b: it must start while a (a level-mate of b) is still running. a holds on
    until f has started (or the deadline passes): a level-by-level scheduler would keep f
    waiting for a, and a would give up."""
    f_started = threading.Event()
    f_started_while_a_ran: list[bool] = []

    def work(name: str) -> WorkflowResult:
        if name == "a":
            f_started_while_a_ran.append(f_started.wait(timeout=DEADLINE))
        if name == "f":
            f_started.set()
        return ok(name)

    run_graph(graph, work, concurrency=4, observer=RecordingObserver())

    assert f_started_while_a_ran == [True], "f waited for a, which it does not need"


def test_a_failure_skips_its_dependents_and_lets_the_rest_finish(graph: WorkflowGraph) -> None:
    def work(name: str) -> WorkflowResult:
        if name == "a":
            raise OrchestratorError("a: stack firefly-a ended ROLLBACK_COMPLETE")
        return ok(name)

    results = run_graph(graph, work, concurrency=2, observer=RecordingObserver()).results

    assert results["a"].status is WorkflowStatus.FAILED
    assert results["a"].error == "a: stack firefly-a ended ROLLBACK_COMPLETE"
    assert results["c"].status is WorkflowStatus.SKIPPED
    assert results["c"].error == "needs a, which failed"
    assert results["d"].status is WorkflowStatus.SKIPPED
    assert results["d"].error == "needs c, which was skipped"
    assert {results[n].status for n in "bef"} == {WorkflowStatus.DEPLOYED}


def test_a_bug_in_one_workflow_is_its_failure_only(graph: WorkflowGraph) -> None:
    def work(name: str) -> WorkflowResult:
        if name == "e":
            raise KeyError("oops")
        return ok(name)

    results = run_graph(graph, work, concurrency=2, observer=RecordingObserver()).results

    assert results["e"].error == "internal error: KeyError: 'oops'"
    assert results["d"].status is WorkflowStatus.DEPLOYED


def test_a_stop_lets_work_in_flight_end_and_starts_nothing_more(graph: WorkflowGraph) -> None:
    stop = threading.Event()

    def work(name: str) -> WorkflowResult:
        if name == "a":
            stop.set()  # as Ctrl-C does while a runs
        return ok(name)

    schedule = run_graph(graph, work, concurrency=1, observer=RecordingObserver(), stop=stop)

    assert schedule.interrupted
    assert schedule.results["a"].status is WorkflowStatus.DEPLOYED
    not_started = [n for n, r in schedule.results.items() if r.status is WorkflowStatus.SKIPPED]
    assert not_started == [n for n in graph.order() if n != "a"]
    assert schedule.results["b"].error == "not started: the run was interrupted"


def test_the_observer_hears_every_start_and_end(graph: WorkflowGraph) -> None:
    observer = RecordingObserver()

    run_graph(graph, ok, concurrency=3, observer=observer)

    assert sorted(w for e, w in observer.events if e == "started") == list("abcdef")
    assert sorted(w for e, w in observer.events if e == "deployed") == list("abcdef")


def test_concurrency_below_one_is_a_usage_error(graph: WorkflowGraph) -> None:
    with pytest.raises(UsageError):
        run_graph(graph, ok, concurrency=0, observer=RecordingObserver())


def test_an_error_every_workflow_would_meet_stops_the_run_with_its_line(
    graph: WorkflowGraph,
) -> None:
    def work(name: str) -> WorkflowResult:
        if name == "a":
            raise EndpointUnreachable("the sandbox at http://127.0.0.1:1 stopped answering")
        return ok(name)

    schedule = run_graph(graph, work, concurrency=1, observer=RecordingObserver())

    assert schedule.aborted == "the sandbox at http://127.0.0.1:1 stopped answering"
    assert not schedule.interrupted
    assert schedule.results["a"].status is WorkflowStatus.FAILED
    assert [n for n, r in schedule.results.items() if r.status is WorkflowStatus.DEPLOYED] == []
    assert schedule.results["e"].error == (
        "not started: the sandbox at http://127.0.0.1:1 stopped answering"
    )


def test_a_workflow_stopped_by_the_interrupt_reports_interrupted(graph: WorkflowGraph) -> None:
    def work(name: str) -> WorkflowResult:
        raise Interrupted(f"{name}: interrupted; nothing was changed")

    results = run_graph(graph, work, concurrency=1, observer=RecordingObserver()).results

    assert results["a"].status is WorkflowStatus.INTERRUPTED
    assert results["c"].error == "needs a, which was interrupted"


def test_every_workflow_run_has_its_start_and_end_in_utc(graph: WorkflowGraph) -> None:
    results = run_graph(graph, ok, concurrency=2, observer=RecordingObserver()).results

    for result in results.values():
        assert result.started_at is not None and result.finished_at is not None
        assert result.started_at.utcoffset() == timedelta(0)
        assert result.started_at <= result.finished_at


def test_ctrl_c_is_acknowledged_and_a_second_stops_waiting(graph: WorkflowGraph) -> None:
    release = threading.Event()
    observer = RecordingObserver()
    handler_before = signal.getsignal(signal.SIGINT)

    def heard() -> bool:
        with observer.lock:
            return ("interrupting", "a") in observer.events

    def work(name: str) -> WorkflowResult:
        os.kill(os.getpid(), signal.SIGINT)  # the first Ctrl-C, while a runs
        wait_until(heard, "the first Ctrl-C to be acknowledged")
        os.kill(os.getpid(), signal.SIGINT)  # the second: a is still running
        release.wait(DEADLINE)
        return ok(name)

    try:
        schedule = run_graph(graph, work, concurrency=1, observer=observer)
    finally:
        release.set()

    assert schedule.interrupted and schedule.abandoned
    assert schedule.results["a"].status is WorkflowStatus.INTERRUPTED
    assert schedule.results["a"].error == ABANDONED
    assert schedule.results["a"].started_at is not None  # it did start; it has not ended
    assert schedule.results["a"].finished_at is None
    assert schedule.results["b"].error == "not started: the run was interrupted"
    assert signal.getsignal(signal.SIGINT) is handler_before  # restored
