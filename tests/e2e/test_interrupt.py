"""Ctrl-C during a deploy: the first is acknowledged, nothing new starts, what was in flight
ends, exit 130, no REVIEW_IN_PROGRESS stack is left behind; a second stops waiting at once."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestrator.sandbox.lifecycle import SandboxInfo
from tests.conftest import engine_process
from tests.e2e.background import (
    background_deploy,
    cloudformation,
    s3,
    wait_until_a_stack_executes,
)
from tests.waiting import wait_until

LATENCY = 2.0  # seconds each stack operation (a change set's creation, its execution) is held
SLOW_LATENCY = 10.0  # seconds: the stack still runs well after the second Ctrl-C ends the wait
ACKNOWLEDGED = "interrupted: nothing new starts; waiting for "


@pytest.fixture
def slow_engine(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[SandboxInfo]:
    """An engine holding every stack operation in progress for a while, so there is a run to
    stop."""
    with engine_process(tmp_path / "state", getattr(request, "param", LATENCY)) as info:
        yield info


def test_an_interrupt_stops_starting_work_and_exits_130(
    slow_engine: SandboxInfo, tmp_path: Path
) -> None:
    client = cloudformation(slow_engine)
    with background_deploy(slow_engine, tmp_path, "--concurrency", "2") as deploy:
        # The interrupt must come while a change set executes: that stack is in flight, and
        # must be let to end rather than be left behind.
        wait_until_a_stack_executes(client, deploy)
        deploy.process.send_signal(signal.SIGINT)
        deploy.process.wait(timeout=120)
    out, err = deploy.stdout.read_text(), deploy.stderr.read_text()

    assert deploy.process.returncode == 130, err
    assert ACKNOWLEDGED in err
    assert "(interrupted)" in out
    assert "Traceback" not in err
    assert "not started: the run was interrupted" in out
    statuses = [s["StackStatus"] for s in client.describe_stacks()["Stacks"]]
    assert statuses, "nothing was in flight when the interrupt came"
    assert not [s for s in statuses if s == "REVIEW_IN_PROGRESS" or s.endswith("_IN_PROGRESS")]


@pytest.mark.parametrize("slow_engine", [SLOW_LATENCY], indirect=True)
def test_a_second_interrupt_stops_waiting_and_names_what_is_left(
    slow_engine: SandboxInfo, tmp_path: Path
) -> None:
    client = cloudformation(slow_engine)
    report = tmp_path / "report.json"
    with background_deploy(
        slow_engine, tmp_path, "--concurrency", "1", "--report", str(report)
    ) as deploy:
        (stack,) = wait_until_a_stack_executes(client, deploy)
        deploy.process.send_signal(signal.SIGINT)
        wait_until(lambda: ACKNOWLEDGED in deploy.printed(), "the first Ctrl-C's acknowledgment")
        deploy.process.send_signal(signal.SIGINT)
        deploy.process.wait(timeout=SLOW_LATENCY / 2)  # it must not wait for the stack to end
    out, err = deploy.stdout.read_text(), deploy.stderr.read_text()

    assert deploy.process.returncode == 130, err
    assert "Traceback" not in err
    assert "error: stopped waiting for " in err and "'firefly status --env local'" in err
    assert client.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"].endswith(
        "_IN_PROGRESS"
    )
    assert ": interrupted: " in out and "still in progress when firefly stopped waiting" in out
    assert '"status": "interrupted"' in report.read_text()
    bucket = s3(slow_engine).list_objects_v2(Bucket="firefly-artifacts-local")
    assert not [o for o in bucket.get("Contents", []) if o["Key"].startswith("firefly/locks/")]
