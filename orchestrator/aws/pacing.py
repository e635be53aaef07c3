"""When to look at an operation in flight: at the moments operations of its kind were seen to end.

Operations of one kind in one run take durations that repeat: a change set takes about as long
for every stack of an account, a stack as long as the resources it holds, and stacks of one
project hold the same few kinds of resources. A look between two of those moments finds nothing
new, so an operation not done at one seen duration is next looked at the following one. The
pause never drops under `pace` from the quickest operation seen, nor grows over the longest
pause; past every duration seen, or before any, `pace` alone decides.
"""

from __future__ import annotations

import bisect

# The longest pause, as a share of its age, between looks at an operation other work waits on:
# on bench/schedule.py's durations (1-6 s, each different) 1.18 -> 1.13 of the bound in the
# replay, for a seventh more change-set looks; the peer graph's change sets, all alike, cost none.
AWAITED_GAP = 0.1


def pace(age: float, fastest: float, slowest: float) -> float:
    """Seconds until the next look at an operation running for `age` seconds.

    A twentieth of the age while it is young, so a stack done in seconds is seen done within
    5% of its time; past 12 s the pause grows with the square of the age, so a stack that runs
    for minutes costs one look every few seconds (bench/schedule.py and bench/api_calls.py
    measure both ends).
    """
    young = age / 20
    return min(slowest, max(fastest, young * max(1.0, age / 12)))


class Durations:
    """How long the operations of one kind took in this run, each as the look that found it
    done saw it."""

    def __init__(self, first_interval: float, max_interval: float) -> None:
        self._first = first_interval
        self._max = max_interval
        self._seen: list[float] = []
        self._quickest: float | None = None

    def learn(self, took: float, *, sure: bool = True) -> None:
        """`sure`: the look before the one that found it done was close enough to say when it
        ended; otherwise `took` is only an upper bound, which bounds the quickest but is no
        moment to look at again."""
        if self._quickest is None or took < self._quickest:
            self._quickest = took
        if sure or not self._seen:
            bisect.insort(self._seen, took)

    def quickest(self) -> float | None:
        return self._quickest

    def floor(self) -> float:
        """The shortest pause before a first look: the quickest operation seen."""
        return min(self._max, max(self._first, self.quickest() or 0.0))

    def next_age(self, age: float, *, awaited: bool = False) -> float:
        """The age at which to look again at an operation not done at `age`: the next duration
        seen, unless that is sooner than `pace` allows or later than the longest pause. The
        pause of an operation other work waits on may drop under the quickest operation seen,
        down to the first interval (when durations vary, the next one seen is often close),
        and never exceeds `AWAITED_GAP` of its age."""
        fastest = self._first if awaited else self.floor()
        soonest = age + pace(age, fastest, self._max)
        # An awaited operation is never left for long on the strength of the durations seen:
        # they are only what ended so far, and one that ends between two of them holds up work.
        latest = age + (max(self._first, age * AWAITED_GAP) if awaited else self._max)
        index = bisect.bisect_left(self._seen, soonest)
        if index == len(self._seen):
            return soonest
        return min(self._seen[index], latest)
