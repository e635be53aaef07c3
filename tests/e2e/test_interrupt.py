"""Ctrl-C during a deploy: nothing new starts, what was in flight ends, exit 130, no
REVIEW_IN_PROGRESS stack is left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from orchestrator.sandbox.lifecycle import SandboxInfo
from tests.conftest import MANIFEST, engine_process


@pytest.fixture
def slow_engine(tmp_path: Path) -> Iterator[tuple[SandboxInfo, Path]]:
    """An engine holding every stack operation in progress for 2 s, so there is a run to stop."""
    state = tmp_path / "state"
    with engine_process(state, 2.0) as info:
        yield info, state


def test_an_interrupt_stops_starting_work_and_exits_130(
    slow_engine: tuple[SandboxInfo, Path],
) -> None:
    info, _ = slow_engine
    environment = {**os.environ, "FIREFLY_SANDBOX_ENDPOINT": info.endpoint}
    environment.pop("GITHUB_ACTIONS", None)
    deploy = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "orchestrator",
            "deploy",
            "--env",
            "local",
            "--concurrency",
            "2",
            "--manifest",
            str(MANIFEST),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    time.sleep(3)  # the first two stacks are in flight
    deploy.send_signal(signal.SIGINT)
    out, err = deploy.communicate(timeout=120)

    assert deploy.returncode == 130, err
    assert "(interrupted)" in out
    assert "Traceback" not in err
    assert "not started: the run was interrupted" in out
    cloudformation = boto3.session.Session(
        aws_access_key_id="t",
        aws_secret_access_key="t",
        region_name="us-east-1",
    ).client("cloudformation", endpoint_url=info.endpoint)
    statuses = [s["StackStatus"] for s in cloudformation.describe_stacks()["Stacks"]]
    assert statuses, "nothing was in flight when the interrupt came"
    assert not [s for s in statuses if s == "REVIEW_IN_PROGRESS" or s.endswith("_IN_PROGRESS")]
