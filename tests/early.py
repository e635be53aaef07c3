"""Commands a selected test waits for, started as soon as collection ends.

The suite mostly waits on engines and subprocesses, and the machine has two cores: mypy (about
20 s from a cold cache) and the conformance probes under latency (about 40 s, mostly waiting)
run beside the other tests instead of after them. A test names its command with
`@pytest.mark.early(start=...)`, where `start` returns a `Background`, and takes the
`early_output` fixture to wait for it; a command whose test is not selected never starts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO

import pytest


@dataclass
class Background:
    """A command running in its own process group, its output going to a file.

    A file, not a pipe: nothing reads the output until the test asks for it, and a full pipe
    would block the command (an engine logging every request stalls every request on it)."""

    process: subprocess.Popen[bytes]
    output: IO[bytes]

    @classmethod
    def start(cls, argv: list[str], **options: object) -> Background:
        output = tempfile.TemporaryFile()  # noqa: SIM115 - open until stop(), at session end
        process = subprocess.Popen(
            argv,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so that stop() reaches its children too
            **options,  # type: ignore[call-overload]
        )
        return cls(process, output)

    def finish(self, timeout: float = 600) -> tuple[int, str]:
        """Its exit code and output, once it ended."""
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        self.output.seek(0)
        return self.process.returncode, self.output.read().decode(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.output.close()


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
