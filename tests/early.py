"""Commands a selected test waits for, started as soon as collection ends.

The suite mostly waits on engines and subprocesses, and the machine has two cores: mypy (about
20 s from a cold cache) and the conformance probes under latency (about 40 s, mostly waiting)
run beside the other tests instead of after them. A test names its command with
`@pytest.mark.early(start=...)`, where `start` returns a `Background`, and takes the `early` fixture
to wait for it; a command whose test is not selected never starts.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pytest


@dataclass
class Background:
    """A command running in its own process group, its output captured."""

    process: subprocess.Popen[str]

    @classmethod
    def start(cls, argv: list[str], **options: object) -> Background:
        process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # so that stop() reaches its children too
            **options,  # type: ignore[call-overload]
        )
        return cls(process)

    def finish(self, timeout: float = 600) -> tuple[int, str]:
        """Its exit code and output, once it ended."""
        try:
            output, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        return self.process.returncode, output

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.communicate()


Starter = Callable[[], Background]
_started: dict[Starter, Background] = {}


def started(start: Starter) -> Background:
    if start not in _started:
        _started[start] = start()
    return _started[start]


def start_marked(items: Iterable[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("early")
        if marker is not None:
            started(marker.kwargs["start"])


def stop_all() -> None:
    for background in _started.values():
        background.stop()
    _started.clear()
