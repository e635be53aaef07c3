"""Ctrl-C during a deploy: nothing new starts, what was in flight ends, exit 130, no
REVIEW_IN_PROGRESS stack is left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from orchestrator.sandbox.lifecycle import SandboxInfo
from tests.conftest import MANIFEST, engine_process
from tests.waiting import wait_until

LATENCY = 2.0  # seconds each stack operation (a change set's creation, its execution) is held
EXECUTING_DEADLINE = 60.0


@pytest.fixture
def slow_engine(tmp_path: Path) -> Iterator[tuple[SandboxInfo, Path]]:
    """An engine holding every stack operation in progress for a while, so there is a run to
    stop."""
    state = tmp_path / "state"
    with engine_process(state, LATENCY) as info:
        yield info, state


def executing(cloudformation: Any) -> list[str]:
    """The stacks whose change set is executing: `*_IN_PROGRESS`, but not REVIEW_IN_PROGRESS (a
    change set still being created, which an interrupt discards along with its stack)."""
    return [
        s["StackName"]
        for s in cloudformation.describe_stacks()["Stacks"]
        if s["StackStatus"].endswith("_IN_PROGRESS") and s["StackStatus"] != "REVIEW_IN_PROGRESS"
    ]


def wait_until_a_stack_executes(
    cloudformation: Any, deploy: subprocess.Popen[bytes], output: list[Path]
) -> None:
    """Poll the engine until a change set executes; fail if the deploy ends first or never
    gets there. The engine holds every execution `*_IN_PROGRESS` for LATENCY seconds, and the
    manifest's many stacks give one such window after another."""

    def printed() -> str:
        return "\n".join(p.read_text(encoding="utf-8") for p in output)

    def executing_while_running() -> list[str]:
        if deploy.poll() is not None:
            pytest.fail(
                f"the deploy exited ({deploy.returncode}) before any stack was executing:\n"
                f"{printed()}"
            )
        return executing(cloudformation)

    wait_until(
        executing_while_running,
        lambda: f"a stack to execute; the deploy printed:\n{printed()}",
        EXECUTING_DEADLINE,
    )


def test_an_interrupt_stops_starting_work_and_exits_130(
    slow_engine: tuple[SandboxInfo, Path], tmp_path: Path
) -> None:
    info, _ = slow_engine
    environment = {**os.environ, "FIREFLY_SANDBOX_ENDPOINT": info.endpoint}
    environment.pop("GITHUB_ACTIONS", None)
    cloudformation = boto3.session.Session(
        aws_access_key_id="t",
        aws_secret_access_key="t",
        region_name="us-east-1",
    ).client("cloudformation", endpoint_url=info.endpoint)
    # Files rather than pipes: nothing reads the output while the test polls the engine, and a
    # full pipe would stall the deploy.
    stdout, stderr = tmp_path / "deploy.out", tmp_path / "deploy.err"
    with stdout.open("wb") as out_file, stderr.open("wb") as err_file:
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
            stdout=out_file,
            stderr=err_file,
            env=environment,
        )
    try:
        # The interrupt must come while a change set executes: that stack is in flight, and
        # must be let to end rather than be left behind.
        wait_until_a_stack_executes(cloudformation, deploy, [stdout, stderr])
        deploy.send_signal(signal.SIGINT)
        deploy.wait(timeout=120)
    finally:
        if deploy.poll() is None:
            deploy.kill()
            deploy.wait()
    out, err = stdout.read_text(encoding="utf-8"), stderr.read_text(encoding="utf-8")

    assert deploy.returncode == 130, err
    assert "(interrupted)" in out
    assert "Traceback" not in err
    assert "not started: the run was interrupted" in out
    statuses = [s["StackStatus"] for s in cloudformation.describe_stacks()["Stacks"]]
    assert statuses, "nothing was in flight when the interrupt came"
    assert not [s for s in statuses if s == "REVIEW_IN_PROGRESS" or s.endswith("_IN_PROGRESS")]
