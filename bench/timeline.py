"""Where a deploy's time beyond its critical path goes, stack by stack (bench/schedule.py
--breakdown).

firefly's side is timed by wrapping the engine's `Stacks` port: when each CreateChangeSet and
ExecuteChangeSet was sent and answered, when each wait returned. The engine's side is read from
the in-process sandbox after the run: when it stamped each change set and when its declared
latency made it ready, when it started executing each stack and when the
stack was done. The chain shown is the one that decided the wall time: from the stack firefly
saw done last, back through the need it saw done last, to a stack that needed nothing.

Each step of that chain is one of:
- polling: the engine had it done, firefly had not looked yet (detection delay);
- client: firefly knew, but had not sent the next call yet (scheduler, parameters, template,
  threads);
- engine: a call was sent, the engine had not stamped the operation yet, or had not answered
  (HTTP, the engine's own CPU on a shared machine);
- declared: the latencies the templates declare, the bound itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from orchestrator.engine.ports import ChangeSetOutcome, ChangeSetRequest, Stacks, StackSnapshot
from orchestrator.sandbox.cloudformation.model import Store
from orchestrator.sandbox.cloudformation.stack_api import change_set_latency_of, latency_of


@dataclass
class Marks:
    """firefly's moments for one stack, in epoch seconds (the engine's clock)."""

    create_sent: float = 0.0
    create_answered: float = 0.0
    change_set_seen: float = 0.0
    execute_sent: float = 0.0
    execute_answered: float = 0.0
    stack_seen: float = 0.0


@dataclass
class TimedStacks:
    """The `Stacks` port, with the moments of each call of a deploy written down."""

    inner: Stacks
    marks: dict[str, Marks] = field(default_factory=dict)
    _by_change_set: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _mark(self, stack: str) -> Marks:
        with self._lock:
            return self.marks.setdefault(stack, Marks())

    def create_change_set(self, request: ChangeSetRequest) -> str:
        marks = self._mark(request.stack)
        marks.create_sent = time.time()
        change_set = self.inner.create_change_set(request)
        marks.create_answered = time.time()
        self._by_change_set[change_set] = request.stack
        return change_set

    def wait_change_set(self, change_set_id: str) -> ChangeSetOutcome:
        outcome = self.inner.wait_change_set(change_set_id)
        self._mark(self._by_change_set[change_set_id]).change_set_seen = time.time()
        return outcome

    def execute_change_set(self, change_set_id: str, disable_rollback: bool = False) -> None:
        marks = self._mark(self._by_change_set[change_set_id])
        marks.execute_sent = time.time()
        self.inner.execute_change_set(change_set_id, disable_rollback)
        marks.execute_answered = time.time()

    def wait_stack(
        self, stack: str, on_event: Callable[[str], None] | None = None
    ) -> StackSnapshot:
        snapshot = self.inner.wait_stack(stack, on_event)
        self._mark(stack).stack_seen = time.time()
        return snapshot

    def __getattr__(self, name: str) -> Any:  # the rest of the port, untimed
        return getattr(self.inner, name)


@dataclass(frozen=True)
class EngineMoments:
    change_set_stamped: float  # the engine took the change set in (ready_at less its latency)
    change_set_ready: float
    stack_started: float
    stack_done: float


def engine_moments(store: Store, stack_names: Mapping[str, str]) -> dict[str, EngineMoments]:
    """By workflow: what the sandbox recorded for each stack's one change set and execution."""
    found = {}
    for workflow, name in stack_names.items():
        stack = next(s for s in store.stacks.values() if s.name == name)
        change_set = next(c for c in store.change_sets.values() if c.stack_id == stack.stack_id)
        # an executed change set no longer holds its ready_at: its creation stamp plus its
        # latency is when it was ready (give or take the engine's few ms computing its changes)
        stamped = change_set.created.timestamp()
        found[workflow] = EngineMoments(
            stamped,
            stamped + change_set_latency_of(change_set.template),
            stack.ready_at - latency_of(stack.template),
            stack.ready_at,
        )
    return found


STEPS = (
    # (column, category, from, to): the moments are Marks or EngineMoments attributes
    ("need seen", "polling", "need.stack_done", "need.stack_seen"),
    ("to create", "client", "need.stack_seen", "create_sent"),
    ("create in", "engine", "create_sent", "change_set_stamped"),
    ("change set", "declared", "change_set_stamped", "change_set_ready"),
    ("cs seen", "polling", "change_set_ready", "change_set_seen"),
    ("to execute", "client", "change_set_seen", "execute_sent"),
    ("execute in", "engine", "execute_sent", "stack_started"),
    ("stack", "declared", "stack_started", "stack_done"),
)


def deciding_chain(
    needs: Mapping[str, list[str]], marks: Mapping[str, Marks], workflows: Mapping[str, str]
) -> list[str]:
    """Workflows from a root to the one seen done last, each released by the need seen last."""
    last = max(workflows, key=lambda w: marks[workflows[w]].stack_seen)
    chain = [last]
    while needs[chain[-1]]:
        chain.append(max(needs[chain[-1]], key=lambda w: marks[workflows[w]].stack_seen))
    return chain[::-1]


def breakdown(
    needs: Mapping[str, list[str]],
    marks: Mapping[str, Marks],
    engine: Mapping[str, EngineMoments],
    workflows: Mapping[str, str],
    started: float,
) -> list[str]:
    """Lines of a table: one row per stack of the deciding chain, then the sums per category."""
    chain = deciding_chain(needs, marks, workflows)
    header = f"{'workflow':10}" + "".join(f"{column:>11}" for column, *_ in STEPS)
    lines, totals = [header], dict.fromkeys(("polling", "client", "engine", "declared"), 0.0)
    previous: str | None = None
    for workflow in chain:
        row = f"{workflow:10}"
        for _, category, begin, end in STEPS:
            seconds = _moment(end, workflow, previous, marks, engine, workflows, started) - (
                _moment(begin, workflow, previous, marks, engine, workflows, started)
            )
            totals[category] += seconds
            row += f"{seconds:11.2f}"
        lines.append(row)
        previous = workflow
    last = marks[workflows[chain[-1]]].stack_seen
    totals["polling"] += last - engine[chain[-1]].stack_done  # the last stack seen done
    lines.append(
        f"last stack seen at {last - started:.2f} s; along the chain: "
        + (", ".join(f"{k} {v:.2f} s" for k, v in totals.items()))
    )
    return lines


def _moment(
    name: str,
    workflow: str,
    need: str | None,
    marks: Mapping[str, Marks],
    engine: Mapping[str, EngineMoments],
    workflows: Mapping[str, str],
    started: float,
) -> float:
    if name.startswith("need."):
        if need is None:  # a root: released by the run's start
            return started
        workflow, name = need, name.removeprefix("need.")
    if hasattr(engine[workflow], name):
        return float(getattr(engine[workflow], name))
    return float(getattr(marks[workflows[workflow]], name))
