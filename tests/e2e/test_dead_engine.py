"""The sandbox killed in the middle of a deploy: the run stops starting work, ends soon with
one line saying what happened, and no workflow reports an internal error."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from tests.conftest import engine_process
from tests.e2e.background import background_deploy, cloudformation, wait_until_a_stack_executes

LATENCY = 2.0
DEADLINE = 60.0  # seconds: a broken watch would take minutes (bench/dead_engine.py times it)


def test_a_killed_sandbox_ends_the_run_with_one_line(tmp_path: Path) -> None:
    with (
        engine_process(tmp_path / "state", LATENCY) as engine,
        background_deploy(engine, tmp_path, "--concurrency", "2") as deploy,
    ):
        wait_until_a_stack_executes(cloudformation(engine), deploy)
        os.kill(engine.pid, signal.SIGKILL)
        deploy.process.wait(timeout=DEADLINE)
    out, err = deploy.stdout.read_text(), deploy.stderr.read_text()

    told = f"the sandbox at {engine.endpoint} stopped answering"
    assert deploy.process.returncode == 1, err
    assert f"error: {told}: it was stopped or killed" in err
    assert "internal error" not in out + err and "Traceback" not in err
    assert f"not started: {told}" in out
