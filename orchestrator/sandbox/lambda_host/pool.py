"""Warm execution environments, kept per function version as Lambda keeps them.

Lambda runs an invocation in an execution environment and keeps the environment after it
returns: the next invocation of the same function version is a warm start that skips the init
phase (module-level state and /tmp are still there). An environment serves one invocation at a
time, so concurrent invocations get environments of their own; a code or configuration change
makes new environments, and a crash or a timeout resets the environment
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html,
https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from orchestrator.sandbox.lambda_host.worker import Worker

# Environments of one function version at once: Lambda scales further, a small host does not;
# an invocation beyond it waits for an environment to come free.
MAX_WORKERS_PER_VERSION = 8


class WorkerPool:
    """Idle environments by version key; `identity` (the function and its version) tells
    which key is current, so that an update retires the environments of the old one."""

    def __init__(self, cap: int = MAX_WORKERS_PER_VERSION) -> None:
        self._cap = cap
        self._changed = threading.Condition()
        self._idle: dict[str, list[Worker]] = {}
        self._busy: set[Worker] = set()
        self._running: dict[str, int] = {}  # environments of a key, idle or busy
        self._current: dict[str, str] = {}  # identity -> its current key

    def acquire(self, identity: str, key: str, start: Callable[[], Worker]) -> Worker:
        """A warm environment of `key`, else a new one (a cold start) within the cap."""
        with self._changed:
            if self._current.get(identity) != key:
                old = self._current.get(identity)
                self._current[identity] = key
                if old is not None:
                    self._retire_idle(old)
            while True:
                idle = self._idle.get(key)
                if idle:
                    worker = idle.pop()
                    self._busy.add(worker)
                    return worker
                if self._running.get(key, 0) < self._cap:
                    self._running[key] = self._running.get(key, 0) + 1
                    break
                self._changed.wait()
        try:
            worker = start()  # outside the lock: other versions' invocations go on meanwhile
        except BaseException:
            self._forget(key)
            raise
        with self._changed:
            self._busy.add(worker)
        return worker

    def release(self, worker: Worker, reusable: bool) -> None:
        """Keep `worker` for the next invocation, or stop it (crashed, timed out, outdated)."""
        with self._changed:
            self._busy.discard(worker)
            keep = reusable and worker.key in self._current.values()
            if keep:
                self._idle.setdefault(worker.key, []).append(worker)
                self._changed.notify_all()
                return
        worker.stop()
        self._forget(worker.key)

    def stop(self, endpoint: str | None = None) -> None:
        """Stop the environments of the engine at `endpoint` (every engine's: None); a busy
        one's invocation ends as if it crashed (its engine is going away)."""
        with self._changed:
            busy = [w for w in self._busy if endpoint is None or w.endpoint == endpoint]
            stopping = [
                worker
                for workers in self._idle.values()
                for worker in workers
                if endpoint is None or worker.endpoint == endpoint
            ]
            for workers in self._idle.values():
                workers[:] = [w for w in workers if w not in stopping]
            self._current = {
                identity: key
                for identity, key in self._current.items()
                if endpoint is not None and not identity.startswith(f"{endpoint} ")
            }
        for worker in stopping:
            worker.stop()
            self._forget(worker.key)
        for worker in busy:
            worker.kill()  # its invocation sees it end, and `release` stops and forgets it

    def _retire_idle(self, key: str) -> None:
        for worker in self._idle.pop(key, []):
            worker.stop()
            self._running[key] -= 1

    def _forget(self, key: str) -> None:
        with self._changed:
            self._running[key] = self._running.get(key, 1) - 1
            if not self._running[key]:
                del self._running[key]
            self._changed.notify_all()
