"""One execution environment: a `bootstrap.py` process that serves invocations one at a time,
spawned (`spawn`) or forked from the SDK-loaded template (`forkserver.py`)."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

BOOTSTRAP = Path(__file__).with_name("bootstrap.py")


@dataclass(frozen=True)
class Answer:
    """What the environment answered (None when it died or ran out of time first)."""

    outcome: dict[str, object] | None
    timed_out: bool = False

    @property
    def reusable(self) -> bool:
        """Whether the environment may serve another invocation (a warm start)."""
        return self.outcome is not None and not self.outcome.get("retire")


@dataclass(frozen=True)
class Channel:
    """An environment process: its pid, the pipes to and from it, and how to reap it."""

    pid: int
    requests: IO[bytes]
    answers: IO[bytes]
    reap: Callable[[], object]


def spawn(cwd: str, env: Mapping[str, str]) -> Channel:
    """A new interpreter running `bootstrap.py` (the cold start of an environment)."""
    process = subprocess.Popen(
        [sys.executable, str(BOOTSTRAP)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=cwd,
        env=dict(env),
        # its own process group: a Ctrl-C at the engine's terminal is the engine's to
        # handle, and stopping the environment ends whatever its handler started too
        start_new_session=True,
    )
    assert process.stdin is not None and process.stdout is not None
    return Channel(process.pid, process.stdin, process.stdout, process.wait)


class Worker:
    """A warm environment of one function version; `key` names that version's code and
    configuration, `endpoint` the engine its SDK calls reach."""

    def __init__(self, key: str, endpoint: str | None, channel: Channel) -> None:
        self.key = key
        self.endpoint = endpoint
        self.invocations = 0
        self._channel = channel
        self._pending = b""
        self._stopped = False

    @property
    def pid(self) -> int:
        return self._channel.pid

    def call(self, request: Mapping[str, object], seconds: float) -> Answer:
        """Send one invocation and wait at most `seconds` for its answer; an environment that
        did not answer is stopped."""
        self.invocations += 1
        try:
            self._channel.requests.write(json.dumps(request).encode() + b"\n")
            self._channel.requests.flush()
        except OSError:  # it died between invocations
            self.stop()
            return Answer(None)
        line, timed_out = self._read_line(time.monotonic() + seconds)
        if line is None:
            self.stop()
            return Answer(None, timed_out)
        try:
            outcome = json.loads(line)
        except ValueError:
            self.stop()
            return Answer(None)
        return Answer(outcome if isinstance(outcome, dict) else {"result": outcome})

    def _read_line(self, deadline: float) -> tuple[bytes | None, bool]:
        """The next answer line; (None, True) past the deadline, (None, False) at its end."""
        descriptor = self._channel.answers.fileno()
        while b"\n" not in self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None, True
            readable, _, _ = select.select([descriptor], [], [], remaining)
            if not readable:
                continue
            chunk = os.read(descriptor, 65536)
            if not chunk:
                return None, False
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return line, False

    def stop(self) -> None:
        """End the environment and everything its handler started; reaps the process. Once:
        its pid may name another process after that."""
        if self._stopped:
            return
        self._stopped = True
        self.kill()
        self._channel.reap()
        for stream in (self._channel.requests, self._channel.answers):
            with contextlib.suppress(OSError):  # a broken pipe to a dead process
                stream.close()

    def kill(self) -> None:
        """End the process group, nothing more: safe while another thread awaits an answer,
        which then sees the end of the pipe (and stops the worker)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._channel.pid, signal.SIGKILL)
