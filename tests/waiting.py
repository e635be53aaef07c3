"""Waiting for a condition, never for a length of time: poll until it holds, and fail with a
clear message at a deadline generous enough for a loaded machine."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

DEADLINE = 60.0  # seconds; only a broken behaviour (or a wedged machine) ever reaches it
POLL = 0.05

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T], what: str | Callable[[], str], timeout: float = DEADLINE
) -> T:
    """The first truthy value of `condition()`; the test fails if none comes within `timeout`
    seconds, saying it was waiting for `what` (a callable is asked only then, so it can tell
    the state things were left in)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            said = what() if callable(what) else what
            pytest.fail(f"gave up after {timeout:.0f} s waiting for {said}")
        time.sleep(POLL)


def written(path: Path, timeout: float = DEADLINE) -> str:
    """The text of `path` once something has been written to it. Not just once it exists: a
    writer creates the file before it writes, and the text may not be there yet."""
    return wait_until(
        lambda: path.read_text(encoding="utf-8") if path.exists() else "",
        f"{path} to be written",
        timeout,
    )
