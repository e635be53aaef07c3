"""`firefly unlock` on the sandbox: nothing to do, this run's lock at once, another run's only
with --yes or a confirmation typed at a terminal, and never for a script that did not say so."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from orchestrator.aws.env_lock import S3LockStore
from orchestrator.aws.session import SANDBOX_ACCOUNT
from orchestrator.engine.lock import EnvironmentLock, Process
from orchestrator.engine.lock_record import RunIdentity, Scope
from orchestrator.sandbox.lifecycle import SandboxInfo
from tests.conftest import CliResult
from tests.sandbox_access import session, use_engine
from tests.waiting import wait_until

Firefly = Callable[..., CliResult]
BUCKET = "unlocking-artifacts-local"
DEAD_RUN = RunIdentity("d1e2a3", Scope.PROCESS, "alice")
PROMPT = b"Break it? [y/N]"


@pytest.fixture
def store(sandbox_engine: SandboxInfo) -> Iterator[S3LockStore]:
    """The lock record of the manifest's `local`, in its own bucket on the session's engine."""
    assert sandbox_engine.credentials is not None
    s3 = session(sandbox_engine.credentials).client("s3", endpoint_url=sandbox_engine.endpoint)
    s3.create_bucket(Bucket=BUCKET)
    lock_store = S3LockStore(s3, BUCKET, "local", SANDBOX_ACCOUNT)
    yield lock_store
    s3.delete_object(Bucket=BUCKET, Key=lock_store.key)


@pytest.fixture
def manifest(
    sandbox_engine: SandboxInfo,
    monkeypatch: pytest.MonkeyPatch,
    write_manifest: Callable[[str], Path],
) -> Path:
    """A manifest whose `local` keeps its lock in BUCKET, on the session's engine."""
    use_engine(monkeypatch, sandbox_engine)
    return write_manifest("""
        version: 1
        project: unlocking
        environments:
          local: {region: us-east-1, sandbox: true}
        workflows:
          tests: {type: tests, description: Nothing to deploy}
        """)


@pytest.fixture
def unlock(manifest: Path, firefly: Firefly) -> Callable[..., CliResult]:
    """`unlock("--yes")`: firefly unlock --env local on that manifest."""
    return lambda *extra: firefly("unlock", "--env", "local", "--manifest", str(manifest), *extra)


def hold(store: S3LockStore, run: RunIdentity = DEAD_RUN) -> EnvironmentLock:
    """The lock, taken by `run` on another machine and never renewed: a run that died."""
    process = Process("laptop:4242:0", "laptop", 4242, "firefly deploy --env local")
    lock = EnvironmentLock(store, "local", run, process)
    lock.acquire()
    return lock


def test_an_unlocked_environment_is_said_so(unlock: Callable[..., CliResult]) -> None:
    result = unlock()

    assert result.code == 0, result.err
    assert result.out.strip() == "environment local is not locked"


def test_a_script_must_say_yes_to_break_another_runs_lock(
    unlock: Callable[..., CliResult], store: S3LockStore
) -> None:
    hold(store)

    refused = unlock()

    assert refused.code == 2
    (line,) = refused.err.strip().splitlines()
    assert line.startswith(
        "error: environment local is locked by alice, 'firefly deploy --env local' on host "
        "laptop (pid 4242), since "
    )
    assert line.endswith(": pass --yes to break that lock (nothing was changed)")
    assert store.read() is not None
    broken = unlock("--yes")
    assert broken.code == 0, broken.err
    assert broken.out.startswith("broke the lock of environment local held by alice, ")
    assert store.read() is None


@pytest.mark.parametrize(
    ("holder", "said"),
    [
        ("nightly-7", "released this run's lock of environment local (run nightly-7 of ci, "),
        ("nightly-6", "environment local is locked by another run, left as it is: run nightly-6"),
    ],
    ids=["own", "another"],
)
def test_the_runs_own_lock_ends_without_a_question_and_another_runs_stays(
    unlock: Callable[..., CliResult],
    store: S3LockStore,
    monkeypatch: pytest.MonkeyPatch,
    holder: str,
    said: str,
) -> None:
    hold(store, RunIdentity(holder, Scope.RUN, "ci")).release()  # lingering for a next job
    monkeypatch.setenv("FIREFLY_RUN_ID", "nightly-7")

    result = unlock("--own-run")

    assert result.code == 0, result.err
    assert result.out.startswith(said)
    assert (store.read() is None) == (holder == "nightly-7")


def at_a_terminal(argv: list[str], answer: bytes) -> tuple[int, str]:
    """Run firefly with a terminal for stdin, stdout and stderr; type `answer` at the prompt."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestrator", *argv],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=dict(os.environ),
    )
    os.close(follower)
    seen = bytearray()

    def read_what_is_there() -> None:
        while select.select([leader], [], [], 0)[0]:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the process is gone and with it the terminal's other end
                return
            if not chunk:
                return
            seen.extend(chunk)

    def prompted() -> bool:
        read_what_is_there()
        return PROMPT in seen or process.poll() is not None

    try:
        wait_until(prompted, lambda: f"the confirmation prompt; the terminal shows {seen!r}")
        os.write(leader, answer + b"\n")
        code = process.wait(timeout=60)
        read_what_is_there()
        return code, seen.decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(leader)


@pytest.mark.parametrize(
    ("answer", "code", "said"),
    [
        (b"y", 0, "broke the lock of environment local held by alice, "),
        (b"n", 1, "the lock of environment local was kept: not confirmed"),
    ],
    ids=["yes", "no"],
)
def test_at_a_terminal_another_runs_lock_goes_only_once_confirmed(
    manifest: Path, store: S3LockStore, answer: bytes, code: int, said: str
) -> None:
    hold(store)

    ended, shown = at_a_terminal(["unlock", "--env", "local", "--manifest", str(manifest)], answer)

    assert ended == code, shown
    assert "environment local is locked by alice, 'firefly deploy --env local'" in shown
    assert said in shown
    assert (store.read() is not None) == (code != 0)
