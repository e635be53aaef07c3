"""When the poller looks: at the durations seen, stack looks joined into one sweep, a stack first
looked at when its own change set took; replayed on a fake clock (simulated_deploy)."""

from __future__ import annotations

import random

from orchestrator.aws.pacing import Durations
from tests.aws.simulated_deploy import simulate


def test_an_operation_not_done_is_looked_at_again_when_the_next_one_seen_ended() -> None:
    took = Durations(first_interval=0.2, max_interval=5.0)
    for seconds in (1.0, 2.0, 3.0, 6.0):
        took.learn(seconds)

    assert took.next_age(1.0) == 2.0
    assert took.next_age(3.0) == 6.0  # nothing ended at 4 or 5 s: no look then
    assert took.next_age(1.5) == 3.0  # never sooner than the quickest operation after a look
    assert took.next_age(6.0) == 7.0  # past all seen: paced by the quickest


def test_the_pause_never_exceeds_the_longest_one() -> None:
    took = Durations(first_interval=0.2, max_interval=5.0)
    took.learn(1.0)
    took.learn(60.0)

    assert took.next_age(2.0) == 7.0
    assert took.next_age(300.0) == 305.0


def test_before_anything_ended_the_first_interval_paces() -> None:
    took = Durations(first_interval=0.2, max_interval=5.0)

    assert took.quickest() is None and took.floor() == 0.2
    assert took.next_age(1.0) == 1.2


def peer_graph(count: int, seed: int) -> tuple[dict[str, list[str]], dict[str, float]]:
    """A graph shaped like the peer bench's (`bench/peer.py`): each stack needs 0-3 of the 12
    before it, and takes 1, 2, 3 or 6 s. Made here; nothing outside the repository is read."""
    rng = random.Random(seed)
    needs: dict[str, list[str]] = {}
    latency: dict[str, float] = {}
    for index in range(count):
        pool = [f"s{i}" for i in range(max(0, index - 12), index)]
        needs[f"s{index}"] = sorted(rng.sample(pool, min(len(pool), rng.choice([0, 1, 1, 2, 3]))))
        latency[f"s{index}"] = float(rng.choice([1, 1, 2, 3, 6]))
    return needs, latency


def test_stacks_ending_close_together_share_sweeps_at_little_cost_in_wall_time() -> None:
    needs, latency = peer_graph(40, seed=7)

    run = simulate(needs, latency, change_set_latency=1.0, jitter=0.2)

    # one look per change set plus the first one's scouting; stack looks joined into sweeps
    # (28 when each is made when due), for a last stack seen done within 30% of the bound
    assert run.calls["DescribeChangeSet"] <= 46
    assert run.calls["DescribeStacks"] <= 24
    assert run.wall <= 1.3 * run.bound


def test_a_stack_is_first_looked_at_when_its_own_change_set_took() -> None:
    needs = {"quick": [], "slow": []}
    latency = {"quick": 1.0, "slow": 4.0}  # each change set takes as long as its stack

    run = simulate(needs, latency)

    # "slow" is not looked at while only "quick" could be done: one sweep for each stack
    assert run.calls["DescribeStacks"] == 2
    assert run.wall == run.bound
