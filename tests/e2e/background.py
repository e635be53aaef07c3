"""`firefly deploy` as its own process, as an operator runs it, for tests that signal it or
pull the engine from under it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from orchestrator.sandbox.lifecycle import SandboxInfo
from tests.conftest import MANIFEST
from tests.sandbox_access import engine_variables, session
from tests.waiting import wait_until

EXECUTING_DEADLINE = 180.0  # a cold cfn-lint cache runs the checks first (~25 s), on a busy machine


@dataclass
class Background:
    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def printed(self) -> str:
        return "\n".join(p.read_text(encoding="utf-8") for p in (self.stdout, self.stderr))

    def running(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"the deploy exited ({self.process.returncode}):\n{self.printed()}")
        return True


def client(service: str, engine: SandboxInfo) -> Any:
    assert engine.credentials is not None
    return session(engine.credentials).client(service, endpoint_url=engine.endpoint)


def cloudformation(engine: SandboxInfo) -> Any:
    return client("cloudformation", engine)


def s3(engine: SandboxInfo) -> Any:
    return client("s3", engine)


@contextmanager
def background_deploy(engine: SandboxInfo, folder: Path, *argv: str) -> Iterator[Background]:
    """The deploy of the repository's manifest to `engine`, killed if a test leaves it."""
    environment = {
        **os.environ,
        **engine_variables(engine.endpoint, engine.state_dir),
        "FIREFLY_PLAIN": "1",
    }
    environment.pop("GITHUB_ACTIONS", None)
    # Files rather than pipes: nothing reads the output while the test polls the engine, and a
    # full pipe would stall the deploy.
    stdout, stderr = folder / "deploy.out", folder / "deploy.err"
    command = [sys.executable, "-m", "orchestrator", "deploy", "--env", "local"]
    with stdout.open("wb") as out_file, stderr.open("wb") as err_file:
        process = subprocess.Popen(
            [*command, *argv, "--manifest", str(MANIFEST)],
            stdout=out_file,
            stderr=err_file,
            env=environment,
        )
    try:
        yield Background(process, stdout, stderr)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def executing(client: Any) -> list[str]:
    """The stacks whose change set is executing: `*_IN_PROGRESS`, but not REVIEW_IN_PROGRESS (a
    change set still being created, which an interrupt discards along with its stack)."""
    return [
        s["StackName"]
        for s in client.describe_stacks()["Stacks"]
        if s["StackStatus"].endswith("_IN_PROGRESS") and s["StackStatus"] != "REVIEW_IN_PROGRESS"
    ]


def wait_until_a_stack_executes(client: Any, deploy: Background) -> list[str]:
    """Poll the engine until a change set executes; fail if the deploy ends first or never
    gets there. An engine with latency holds every execution `*_IN_PROGRESS` for a while, and
    the manifest's many stacks give one such window after another."""
    return wait_until(
        lambda: deploy.running() and executing(client),
        lambda: f"a stack to execute; the deploy printed:\n{deploy.printed()}",
        EXECUTING_DEADLINE,
    )
