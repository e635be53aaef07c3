"""A deploy of a stack graph on a fake clock, looked at by the real poller: calls and wall time
without a thread, a server or a busy machine in the way.

Each stack's change set is created once every stack it needs is seen done, takes
`change_set_latency` to be ready, is executed when seen ready, and the stack takes its own
latency. Calls take no time; `jitter` (seeded) stretches each operation a little, as a loaded
engine does. The wall time ends when the last stack is seen done.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from orchestrator.aws.poller import StackPoller


class FakeCloud:
    """Change sets and stacks that end at set times of a clock this object holds."""

    def __init__(self) -> None:
        self.now = 0.0
        self.calls: Counter[str] = Counter()
        self.change_sets: dict[str, tuple[str, float]] = {}  # id: (stack, ready at)
        self.stacks: dict[str, float] = {}  # name: done at

    def describe_change_set(self, ChangeSetName: str) -> dict[str, Any]:
        self.calls["DescribeChangeSet"] += 1
        stack, ready_at = self.change_sets[ChangeSetName]
        status = "CREATE_COMPLETE" if self.now >= ready_at else "CREATE_IN_PROGRESS"
        return {"ChangeSetId": ChangeSetName, "StackName": stack, "Status": status}

    def _stack(self, name: str) -> dict[str, Any]:
        status = "CREATE_COMPLETE" if self.now >= self.stacks[name] else "CREATE_IN_PROGRESS"
        return {"StackName": name, "StackStatus": status, "StackId": f"id-{name}"}

    def describe_stacks(self, StackName: str) -> dict[str, Any]:
        self.calls["DescribeStacks"] += 1
        return {"Stacks": [self._stack(StackName)]}

    def get_paginator(self, _: str) -> Any:
        cloud = self

        class Pages:
            def paginate(self, **__: Any) -> list[dict[str, Any]]:
                cloud.calls["DescribeStacks"] += 1
                return [{"Stacks": [cloud._stack(n) for n in cloud.stacks]}]

        return Pages()


class _Stepped(StackPoller):
    """The poller, stepped by the simulation instead of its own thread."""

    def _start(self) -> None:
        pass


@dataclass(frozen=True)
class Outcome:
    wall: float
    bound: float  # the critical path of change sets plus executions
    calls: Counter[str]


def simulate(
    needs: Mapping[str, Sequence[str]],
    latency: Mapping[str, float],
    *,
    change_set_latency: float | None = None,
    jitter: float = 0.0,
    seed: int = 7,
    prioritised: bool = False,
) -> Outcome:
    """`needs` in an order where every stack comes after the stacks it needs; the change
    set of a stack takes its own latency unless `change_set_latency` is given. When
    `prioritised`, the poller is told which stacks others wait on, as a deploy tells it."""
    cloud, rng = FakeCloud(), random.Random(seed)
    poller = _Stepped(cloud, clock=lambda: cloud.now)
    if prioritised:
        poller.prioritise({s for its_needs in needs.values() for s in its_needs})
    seen: set[str] = set()
    ended: dict[str, float] = {}

    def took(seconds: float) -> float:
        return seconds + rng.uniform(0.0, jitter)

    def start(stack: str) -> None:
        creating = took(latency[stack] if change_set_latency is None else change_set_latency)
        change_set = f"cs-{stack}"
        cloud.change_sets[change_set] = (stack, cloud.now + creating)
        poller.watch_change_set(change_set, stack).add_done_callback(
            lambda _: execute(stack, creating)
        )

    def execute(stack: str, creating: float) -> None:
        running = took(latency[stack])
        cloud.stacks[stack] = cloud.now + running
        ended[stack] = creating + running + max((ended[n] for n in needs[stack]), default=0.0)
        poller.watch(stack).add_done_callback(lambda _: done(stack))

    def done(stack: str) -> None:
        seen.add(stack)
        for waiting, its_needs in needs.items():
            if stack in its_needs and set(its_needs) <= seen:
                start(waiting)

    for stack, its_needs in needs.items():
        if not its_needs:
            start(stack)
    while len(seen) < len(needs):
        cloud.now = max(cloud.now, poller.next_look())
        poller.look()
    return Outcome(cloud.now, max(ended.values()), cloud.calls)
