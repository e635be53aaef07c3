"""One run per environment: the environment lock's policy, over a `LockStore`.

- Where: one record per environment, kept beside it (on AWS and on the sandbox: an object in the
  environment's artifact bucket) and changed only by conditional writes — create if absent,
  replace or delete if unchanged. Of two machines racing for one version, one wins; the other
  hears `LockConflict`, reads the record again and decides again. Nothing to provision.
- Whose: a run's, not a process's. The run id is FIREFLY_RUN_ID, else GITHUB_RUN_ID and
  GITHUB_RUN_ATTEMPT, else a fresh id per command. The record holds one member per process of
  the run that is in: the jobs of one GitHub Actions run of the graph workflows (one
  `firefly deploy --only W --no-deps` per runner) join the same lock, any other run is refused
  at once (`EnvironmentLocked`, exit 3) with the holder named.
- Until when: each member rewrites the record every TTL/3 from a renewal thread; a record not
  renewed for TTL has expired and the next run takes it over, saying whose it was. A member
  that stopped renewing (killed, its machine gone) is dropped at the next write.
- Between jobs: when the last member of a run-scoped lock leaves, the record stays, memberless,
  for LINGER, so that the run's next job (GitHub may start it minutes later) joins it instead
  of racing another run for it. The graph workflow's last job (`if: always()`) runs
  `firefly unlock --own-run`, which ends the run's lock at once. A process-scoped lock (a
  person's command) is deleted when the command ends.
- Release: every way out of the `with` block (success, failure, Ctrl-C, an exception) releases
  the lock; `release()` is idempotent. (A second Ctrl-C unwinds through the block too: the
  scheduler returns without waiting, and only then does the process exit.)
- Lost: a renewal that finds the record gone or another run's says so once; the run goes on
  (abandoning a CloudFormation operation midway does more harm) and leaves that record alone.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from types import TracebackType

from orchestrator.engine.lock_record import (
    LockRecord,
    Member,
    RunIdentity,
    Scope,
    decode,
    describe_holder,
    encode,
    fresh_record,
    with_member,
    without_member,
)
from orchestrator.engine.ports import LockConflict, LockStore
from orchestrator.errors import EnvironmentLocked, OrchestratorError

TTL = timedelta(minutes=2)
LINGER = timedelta(minutes=15)  # a run's next job: a runner to start, Python and firefly to install
ATTEMPTS = 20  # conditional writes lost in a row before giving up

Notice = Callable[[str], None]


class Removal(Enum):
    DELETE = "delete"


# What a decision makes of the record it read: write this one, delete it, or leave it (None).
Decision = LockRecord | Removal | None


@dataclass(frozen=True)
class Process:
    """This process, as a member of its run's lock."""

    member_id: str
    host: str
    pid: int
    command: str


def this_process(command: str) -> Process:
    host = socket.gethostname()
    pid = os.getpid()
    # host and pid alone can repeat (containers all run as pid 1)
    return Process(f"{host}:{pid}:{uuid.uuid4().hex[:8]}", host, pid, command)


def run_identity(environ: Mapping[str, str]) -> RunIdentity:
    """FIREFLY_RUN_ID, else the GitHub Actions run and attempt, else a fresh id."""
    holder = next(
        (environ[n] for n in ("GITHUB_ACTOR", "USER", "LOGNAME", "USERNAME") if environ.get(n)),
        "an unknown user",
    )
    named = environ.get("FIREFLY_RUN_ID", "").strip()
    if named:
        return RunIdentity(named, Scope.RUN, holder)
    github_run = environ.get("GITHUB_RUN_ID", "").strip()
    if github_run:
        attempt = environ.get("GITHUB_RUN_ATTEMPT", "").strip() or "1"
        repository = environ.get("GITHUB_REPOSITORY", "").strip()
        server = environ.get("GITHUB_SERVER_URL", "").strip() or "https://github.com"
        url = f"{server}/{repository}/actions/runs/{github_run}/attempts/{attempt}"
        return RunIdentity(f"{github_run}-{attempt}", Scope.RUN, holder, url if repository else "")
    return RunIdentity(uuid.uuid4().hex[:12], Scope.PROCESS, holder)


def read_record(store: LockStore, environment: str) -> tuple[LockRecord | None, str]:
    """The record as stored now (None: unlocked) and its version."""
    stored = store.read()
    if stored is None:
        return None, ""
    return decode(stored.text, store.location, environment), stored.etag


class EnvironmentLock:
    """The lock of one environment held by this process for its run; use it as a context
    manager around everything that changes the environment."""

    def __init__(
        self,
        store: LockStore,
        environment: str,
        run: RunIdentity,
        process: Process,
        *,
        ttl: timedelta = TTL,
        linger: timedelta = LINGER,
        notice: Notice = lambda _: None,
    ) -> None:
        self.environment = environment
        self.run = run
        self.process = process
        self.ttl = ttl
        self.linger = linger
        self._store = store
        self._notice = notice
        self._guard = threading.Lock()
        self._holding = False
        self._started_at: datetime | None = None
        self._taken_from: LockRecord | None = None
        self._renewer = Renewer(self.renew, ttl.total_seconds() / 3, self._renewal_failed)
        self.lost: str | None = None

    def __enter__(self) -> EnvironmentLock:
        self.acquire()
        self._renewer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.release()
        except OrchestratorError as failure:
            # The run's own outcome (or exception) matters more: say it, let the lock expire.
            self._notice(
                f"could not release the lock of environment {self.environment}: "
                f"{failure.message}; it expires within {int(self.ttl.total_seconds())} s, or "
                f"run 'firefly unlock --env {self.environment}'"
            )

    def acquire(self) -> None:
        """Take the lock, join the run's, or raise EnvironmentLocked naming the holder; only
        the `with` block renews it."""
        self._swap(self._take)
        if self._taken_from is not None:
            self._notice(
                f"took over the expired lock of environment {self.environment} from "
                f"{describe_holder(self._taken_from, self._store.now())}"
            )
        with self._guard:
            self._holding = True

    def renew(self) -> None:
        """Push the expiry one TTL further; a record gone or another run's means lost."""
        with self._guard:
            if not self._holding or self.lost is not None:
                return
        self._swap(self._renewed)

    def release(self) -> None:
        """Leave the lock (idempotent): the record goes, stays for the other members, or
        lingers for the run's next job."""
        with self._guard:
            if not self._holding:
                return
            self._holding = False
        self._renewer.stop()
        if self.lost is None:
            self._swap(self._left)

    def _member(self, now: datetime) -> Member:
        if self._started_at is None:
            self._started_at = now
        p = self.process
        return Member(p.member_id, p.host, p.pid, p.command, self._started_at, now)

    def _take(self, current: LockRecord | None, now: datetime) -> Decision:
        self._taken_from = None
        member = self._member(now)
        if current is None:
            return fresh_record(self.environment, self.run, member, self.ttl)
        if current.run.run_id == self.run.run_id:
            return with_member(current, member, self.ttl)
        if not current.expired(now):
            raise EnvironmentLocked(
                f"environment {self.environment} is locked by {describe_holder(current, now)}: "
                "wait for that run to end, or if it died, run "
                f"'firefly unlock --env {self.environment}'"
            )
        self._taken_from = current
        return fresh_record(self.environment, self.run, member, self.ttl)

    def _renewed(self, current: LockRecord | None, now: datetime) -> Decision:
        if current is None or current.run.run_id != self.run.run_id:
            self._lose(current, now)
            return None
        return with_member(current, self._member(now), self.ttl)

    def _left(self, current: LockRecord | None, now: datetime) -> Decision:
        if current is None or current.run.run_id != self.run.run_id:
            return None
        remaining = without_member(current, self.process.member_id, now, self.ttl, self.linger)
        return Removal.DELETE if remaining is None else remaining

    def _lose(self, current: LockRecord | None, now: datetime) -> None:
        how = (
            "its record was removed ('firefly unlock')"
            if current is None
            else f"it is now held by {describe_holder(current, now)}"
        )
        self.lost = how
        self._notice(
            f"lost the lock of environment {self.environment}: {how}; another run may be "
            f"changing {self.environment} while this one finishes"
        )

    def _renewal_failed(self, error: Exception) -> None:
        reason = error.message if isinstance(error, OrchestratorError) else repr(error)
        self._notice(
            f"could not renew the lock of environment {self.environment} ({reason}); trying "
            f"again in {int(self.ttl.total_seconds() / 3)} s"
        )

    def _swap(self, decide: Callable[[LockRecord | None, datetime], Decision]) -> None:
        """Read, decide, write conditionally; a lost race reads again and decides again."""
        for _ in range(ATTEMPTS):
            current, etag = read_record(self._store, self.environment)
            decision = decide(current, self._store.now())
            try:
                if isinstance(decision, Removal):
                    self._store.delete(etag)
                elif decision is not None and current is None:
                    self._store.create(encode(decision))
                elif decision is not None:
                    self._store.replace(encode(decision), etag)
                return
            except LockConflict:
                continue
        raise OrchestratorError(
            f"the lock of environment {self.environment} ({self._store.location}) changed "
            f"{ATTEMPTS} times in a row while firefly wrote it; try again"
        )


class Renewer:
    """Calls `renew` every `interval` seconds on a daemon thread until stopped."""

    def __init__(
        self, renew: Callable[[], None], interval: float, failed: Callable[[Exception], None]
    ) -> None:
        self._renew = renew
        self._interval = interval
        self._failed = failed
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="firefly-lock", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _loop(self) -> None:
        while not self._stopping.wait(self._interval):
            try:
                self._renew()
            # Any failure is retried at the next tick: the TTL outlasts two missed renewals.
            except Exception as error:
                self._failed(error)
