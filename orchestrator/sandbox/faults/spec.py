"""The fault setting (`throttle=0.3,error=0.05,seed=7`) and the fate each eligible call draws."""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass
from enum import Enum

from orchestrator.sandbox.errors import SandboxUsageError

FAULTS_ENV = "FIREFLY_SANDBOX_FAULTS"
_FRACTIONS = ("throttle", "error")
_KEYS = (*_FRACTIONS, "seed")
_EXAMPLE = "throttle=0.3,error=0.05,seed=7"


class Fault(Enum):
    """What an eligible call gets instead of its answer; the value names its count."""

    THROTTLE = "throttled"
    ERROR = "failed"


@dataclass(frozen=True)
class FaultSpec:
    """The fractions of eligible calls answered as throttled and as an internal failure."""

    throttle: float = 0.0
    error: float = 0.0
    seed: int = 0

    @property
    def text(self) -> str:
        """The setting as `throttle=F,error=F,seed=N`; empty when no call is ever faulted."""
        if not (self.throttle or self.error):
            return ""
        return f"throttle={_number(self.throttle)},error={_number(self.error)},seed={self.seed}"

    def fate(self, draw: float) -> Fault | None:
        """The fault of a call whose uniform draw in [0, 1) is `draw`, or None."""
        if draw < self.throttle:
            return Fault.THROTTLE
        if draw < self.throttle + self.error:
            return Fault.ERROR
        return None


def parse_faults(text: str) -> FaultSpec:
    """`throttle=F,error=F,seed=N`, each part optional; an empty text is no faults.

    Raises:
        SandboxUsageError: an unknown key, a value that is not a number, a fraction out of range.
    """
    values: dict[str, str] = {}
    for part in text.split(",") if text.strip() else []:
        key, equals, value = (piece.strip() for piece in part.partition("="))
        if not equals:
            raise _invalid(text, f"{part.strip()!r} is not key=value")
        if key not in _KEYS:
            raise _invalid(text, f"unknown key {key!r} (known: {', '.join(_KEYS)})")
        if key in values:
            raise _invalid(text, f"{key} is given twice")
        values[key] = value
    fractions = {key: _fraction(text, key, values[key]) for key in _FRACTIONS if key in values}
    if sum(fractions.values()) > 1:
        total = sum(fractions.values())
        raise _invalid(text, f"throttle + error must be at most 1, not {total:g}")
    return FaultSpec(**fractions, seed=_seed(text, values.get("seed", "0")))


def _fraction(text: str, key: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise _invalid(text, f"{key} must be a number, not {value!r}") from None
    if not (math.isfinite(number) and 0 <= number <= 1):
        raise _invalid(text, f"{key} must be a fraction in [0, 1], not {value}")
    return number


def _seed(text: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise _invalid(text, f"seed must be an integer, not {value!r}") from None


def _invalid(text: str, reason: str) -> SandboxUsageError:
    return SandboxUsageError(
        f"invalid sandbox faults {text!r} (--faults or {FAULTS_ENV}): {reason}; "
        f"write them as throttle=F,error=F,seed=N, e.g. {_EXAMPLE}"
    )


def _number(value: float) -> str:
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


class FaultDice:
    """One draw of `random.Random(seed)` per eligible call, in arrival order, so the n-th eligible
    call meets the same fate for a given seed; counts what it decided."""

    def __init__(self, spec: FaultSpec) -> None:
        self.spec = spec
        self._random = random.Random(spec.seed)
        self._lock = threading.Lock()  # the server answers each request on a thread of its own
        self._counts = {"eligible": 0, **{fault.value: 0 for fault in Fault}}

    def roll(self) -> Fault | None:
        with self._lock:
            fault = self.spec.fate(self._random.random())
            self._counts["eligible"] += 1
            if fault is not None:
                self._counts[fault.value] += 1
        return fault

    def counts(self) -> dict[str, int]:
        """`eligible`, `throttled` and `failed` calls so far."""
        with self._lock:
            return dict(self._counts)
