"""Two deploys of one environment at once: the second exits 3 at once, in one line naming the
first, which deploys undisturbed; `status` names the holder meanwhile, and the lock is gone
after."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from orchestrator.sandbox.lifecycle import SandboxInfo
from tests.conftest import REPO, CliResult, engine_process
from tests.sandbox_access import session, use_engine
from tests.waiting import wait_until

LATENCY = 4.0  # seconds each stack operation takes: the first deploy is busy for two of them
MANIFEST = REPO / "tests" / "manifests" / "lock" / "workflows.yaml"
BUCKET, KEY = "locking-artifacts-local", "firefly/locks/local.json"


@pytest.fixture
def slow_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxInfo]:
    with engine_process(tmp_path / "state", LATENCY) as info:
        use_engine(monkeypatch, info)
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
        yield info


def s3_of(engine: SandboxInfo) -> Any:
    assert engine.credentials is not None
    return session(engine.credentials).client("s3", endpoint_url=engine.endpoint)


def locked(s3: Any) -> bool:
    try:
        s3.head_object(Bucket=BUCKET, Key=KEY)
    except ClientError:
        return False
    return True


def test_a_second_deploy_of_a_busy_environment_exits_3_naming_the_first(
    slow_engine: SandboxInfo, tmp_path: Path, firefly: Callable[..., CliResult]
) -> None:
    s3 = s3_of(slow_engine)
    printed = tmp_path / "first.out"
    command = ("deploy", "--env", "local", "--manifest", str(MANIFEST))
    with printed.open("wb") as sink:
        first = subprocess.Popen(
            [sys.executable, "-m", "orchestrator", *command],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=dict(os.environ),
        )
    try:
        wait_until(
            lambda: locked(s3) or first.poll() is not None,
            lambda: f"the first deploy to take the lock; it printed:\n{printed.read_text()}",
        )
        assert first.poll() is None, printed.read_text()  # busy: its stack is minutes away
        during = firefly("status", "--env", "local", "--manifest", str(MANIFEST))
        second = firefly(*command)
        first.wait(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()

    assert second.code == 3
    (line,) = second.err.strip().splitlines()
    assert line.startswith("error: environment local is locked by ")
    assert f"'firefly deploy --env local' on host {socket.gethostname()} (pid {first.pid})" in line
    assert line.endswith(
        "wait for that run to end, or if it died, run 'firefly unlock --env local'"
    )
    assert second.out == ""  # refused before anything ran
    assert first.returncode == 0, printed.read_text()
    assert "table: deployed" in printed.read_text()
    assert "lock: environment local is locked by " in during.out
    assert f"(pid {first.pid}), since " in during.out
    assert not locked(s3)
    after = firefly("status", "--env", "local", "--manifest", str(MANIFEST))
    assert "lock: environment local is unlocked" in after.out
