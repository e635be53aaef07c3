"""A delete that stops before its first stack still ends clearly: a declined confirmation is no
interrupt, a blocked delete says so in one line, and `--report` is written whatever happened."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestrator.sandbox.lifecycle import SandboxInfo
from tests.conftest import MANIFEST
from tests.e2e.conftest import Firefly, read_report
from tests.sandbox_access import engine_variables
from tests.waiting import DEADLINE, POLL, wait_until

STACK = "firefly-dynamodb-devices"
ONLY = ("--only", "dynamodb-devices")


@pytest.fixture
def devices_stack(local: Firefly, aws: Callable[[str], Any]) -> Iterator[None]:
    deployed = local("deploy", "--env", "local", *ONLY)
    assert deployed.code == 0, deployed.err
    yield
    aws("cloudformation").update_termination_protection(
        StackName=STACK, EnableTerminationProtection=False
    )


def live_stacks(aws: Callable[[str], Any]) -> set[str]:
    return {s["StackName"] for s in aws("cloudformation").describe_stacks()["Stacks"]}


@pytest.mark.usefixtures("devices_stack")
def test_a_blocked_delete_says_so_in_one_line_and_reports_why(
    local: Firefly, aws: Callable[[str], Any], tmp_path: Path
) -> None:
    aws("cloudformation").update_termination_protection(
        StackName=STACK, EnableTerminationProtection=True
    )
    report = tmp_path / "report.json"

    result = local("delete", "--env", "local", *ONLY, "--yes", "--report", str(report))

    assert result.code == 1
    assert result.error_lines == ["error: nothing was deleted: 1 blocker, listed above"]
    assert "blocked: dynamodb-devices: stack firefly-dynamodb-devices has termination" in result.err
    entry = read_report(report)["workflows"]["dynamodb-devices"]
    assert entry["status"] == "skipped"
    assert "termination protection" in entry["error"]
    assert STACK in live_stacks(aws)


def test_nothing_to_delete_still_writes_the_report(local: Firefly, tmp_path: Path) -> None:
    assert local("delete", "--env", "local", *ONLY, "--yes").code == 0  # make sure it is gone
    report = tmp_path / "report.json"

    result = local("delete", "--env", "local", *ONLY, "--yes", "--report", str(report))

    assert result.code == 0, result.err
    assert "nothing to delete" in result.out
    assert read_report(report)["workflows"]["dynamodb-devices"]["status"] == "unchanged"


def read_until(terminal: int, text: str, seen: bytearray) -> None:
    """Read the terminal's output into `seen` until `text` shows in it."""

    def shown() -> bool:
        ready, _, _ = select.select([terminal], [], [], POLL)
        if ready:
            with contextlib.suppress(OSError):  # the program ended and closed the terminal
                seen.extend(os.read(terminal, 4096))
        return text.encode() in seen

    wait_until(shown, lambda: f"{text!r} in {seen.decode(errors='replace')!r}")


@pytest.mark.usefixtures("devices_stack")
def test_answering_no_deletes_nothing_exits_1_and_reports(
    sandbox_engine: SandboxInfo, aws: Callable[[str], Any], tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    controller, terminal = pty.openpty()
    environment = {
        **os.environ,
        **engine_variables(sandbox_engine.endpoint, sandbox_engine.state_dir),
    }
    environment.pop("GITHUB_ACTIONS", None)
    command = [sys.executable, "-m", "orchestrator", "delete", "--env", "local", *ONLY]
    command += ["--report", str(report), "--manifest", str(MANIFEST)]
    with subprocess.Popen(
        command, stdin=terminal, stdout=terminal, stderr=terminal, env=environment
    ) as deleting:
        os.close(terminal)
        seen = bytearray()
        try:
            read_until(controller, "delete 1 stack(s) of local?", seen)
            os.write(controller, b"n\n")
            read_until(controller, "nothing was deleted", seen)
            code = deleting.wait(timeout=DEADLINE)
        finally:
            if deleting.poll() is None:
                deleting.kill()
            os.close(controller)

    assert code == 1, seen.decode(errors="replace")
    assert "the confirmation was declined" in seen.decode(errors="replace")
    assert "interrupted" not in seen.decode(errors="replace")
    assert read_report(report)["workflows"]["dynamodb-devices"]["status"] == "skipped"
    assert STACK in live_stacks(aws)


def firmware_buckets(aws: Callable[[str], Any]) -> list[str]:
    resources = aws("cloudformation").describe_stack_resources(StackName="firefly-s3-firmware")
    return sorted(
        r["PhysicalResourceId"]
        for r in resources["StackResources"]
        if r["ResourceType"] == "AWS::S3::Bucket"
    )


def test_filled_buckets_block_the_delete_until_emptied_and_each_step_converges(
    local: Firefly, aws: Callable[[str], Any]
) -> None:
    """S3 refuses to delete a bucket that holds data, so the delete would end DELETE_FAILED: the
    preflight says so with the counts and deletes nothing; --empty-buckets empties exactly
    those buckets; after each step a redeploy converges in one run."""
    only = ("--only", "s3-firmware")
    assert local("deploy", "--env", "local", *only).code == 0
    buckets = firmware_buckets(aws)
    for name in buckets:
        aws("s3").put_object(Bucket=name, Key="fw-1.0.0.zip", Body=b"firmware")

    blocked = local("delete", "--env", "local", *only, "--yes")

    assert blocked.code == 1
    assert blocked.error_lines == [
        f"error: nothing was deleted: {len(buckets)} blockers, listed above"
    ]
    # Both buckets are named by secrets of the environment: the blockers name them masked.
    blocker = "bucket *** holds 1 object version(s); empty it first"
    assert blocked.err.count(blocker) == len(buckets)
    assert not [name for name in buckets if name in blocked.err]
    assert "firefly-s3-firmware" in live_stacks(aws)
    assert "s3-firmware: unchanged" in local("deploy", "--env", "local", *only).out

    emptied = local("delete", "--env", "local", *only, "--yes", "--empty-buckets")

    assert emptied.code == 0, emptied.err
    assert "will be emptied (--empty-buckets)" in emptied.err
    assert "firefly-s3-firmware" not in live_stacks(aws)
    remaining = {b["Name"] for b in aws("s3").list_buckets()["Buckets"]}
    assert not remaining & set(buckets)
    again = local("deploy", "--env", "local", *only)
    assert again.code == 0, again.err
    assert "s3-firmware: deployed" in again.out
