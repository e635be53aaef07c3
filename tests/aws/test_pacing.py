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


def test_an_awaited_operation_is_looked_at_again_sooner_than_the_quickest_one_took() -> None:
    took = Durations(first_interval=0.2, max_interval=5.0)
    for seconds in (1.0, 4.0, 4.2, 9.0):
        took.learn(seconds)

    assert took.next_age(4.0) == 9.0  # a pause of at least 1 s skips the end seen at 4.2 s
    assert took.next_age(4.0, awaited=True) == 4.2
    # and never left longer than a tenth of its age, whatever was seen
    assert took.next_age(5.0, awaited=True) == 5.5


def test_an_end_seen_late_bounds_the_quickest_but_is_no_moment_to_look_at() -> None:
    took = Durations(first_interval=0.2, max_interval=5.0)
    took.learn(1.0)
    took.learn(3.5, sure=False)  # first looked at when a scout was seen ready
    took.learn(0.9, sure=False)
    took.learn(6.0)

    assert took.quickest() == 0.9
    assert took.next_age(2.0) == 6.0  # not 3.5


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


def schedule_graph(seed: int) -> tuple[dict[str, list[str]], dict[str, float]]:
    """A graph shaped like bench/schedule.py's: each of 40 stacks needs 0-2 of the 8 before
    it and takes 1-6 s, its change set as long."""
    rng = random.Random(seed)
    names = [f"w{index:02d}" for index in range(40)]
    latency = {name: round(rng.uniform(1.0, 6.0), 1) for name in names}
    needs = {}
    for index, name in enumerate(names):
        earlier = names[max(0, index - 8) : index]
        needs[name] = rng.sample(earlier, k=min(len(earlier), rng.randint(0, 2)))
    return needs, latency


def test_awaited_stacks_are_seen_done_sooner_for_more_change_set_looks() -> None:
    needs, latency = schedule_graph(seed=7)

    plain = simulate(needs, latency, jitter=0.2)
    prioritised = simulate(needs, latency, jitter=0.2, prioritised=True)

    # 1.38 -> 1.12 of the bound: change sets of awaited stacks looked at whenever one of the
    # durations seen may have passed (and at least every tenth of their age), their stacks
    # first looked at halfway through what the change set took; 91 -> 160 DescribeChangeSet
    assert plain.wall >= 1.3 * plain.bound
    assert prioritised.wall <= 1.15 * prioritised.bound
    assert prioritised.calls["DescribeChangeSet"] <= 170
    assert prioritised.calls["DescribeStacks"] <= plain.calls["DescribeStacks"] + 8


def test_on_the_peer_graph_priorities_cost_only_the_probes() -> None:
    needs, latency = peer_graph(40, seed=7)

    plain = simulate(needs, latency, change_set_latency=1.0, jitter=0.2)
    prioritised = simulate(needs, latency, change_set_latency=1.0, jitter=0.2, prioritised=True)

    # every change set takes 1 s, so each is seen ready at its first look and no stack's span
    # is known; the probes below the quickest change set stop once two in a row find theirs
    # running (three looks): the budget bench/peer.py holds firefly to is all but untouched
    assert prioritised.calls["DescribeChangeSet"] <= plain.calls["DescribeChangeSet"] + 3
    assert prioritised.calls["DescribeStacks"] == plain.calls["DescribeStacks"]


def test_a_slow_scout_does_not_hold_every_later_change_set_to_its_time() -> None:
    needs = {"slow": [], "b": ["slow"], "c": ["b"], "d": ["c"], "e": ["d"]}
    latency = {"slow": 4.0, "b": 1.0, "c": 1.0, "d": 1.0, "e": 1.0}  # change sets as long

    plain = simulate(needs, latency)
    prioritised = simulate(needs, latency, prioritised=True)

    # plain, every change set after the first is first looked at when the first one took (4 s)
    assert plain.wall >= 2.0 * plain.bound
    assert prioritised.wall < 0.8 * plain.wall


def test_a_stack_is_first_looked_at_when_its_own_change_set_took() -> None:
    needs = {"quick": [], "slow": []}
    latency = {"quick": 1.0, "slow": 4.0}  # each change set takes as long as its stack

    run = simulate(needs, latency)

    # "slow" is not looked at while only "quick" could be done: one sweep for each stack
    assert run.calls["DescribeStacks"] == 2
    assert run.wall == run.bound
