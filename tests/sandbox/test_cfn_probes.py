"""The conformance probes (tests/data/sandbox-probes), the issue's acceptance test: the whole suite
ends `N passed, 0 failed` against the engine, without and with latency."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from orchestrator.sandbox.server import RunningServer
from tests.conftest import REPO
from tests.early import Background

PROBES = REPO / "tests" / "data" / "sandbox-probes"  # a copy of shared/sandbox-probes
LATENCY = 0.5
# An engine with latency in a process of its own (the latency is process-wide), the probes run
# against it, and the engine stopped: its output is the probes'.
PROBES_WITH_LATENCY = """
import os, subprocess, sys
from orchestrator.sandbox.server import start_server
latency, probes = sys.argv[1], sys.argv[2]
server = start_server(port=0, latency=float(latency))
try:
    done = subprocess.run([sys.executable, "run.py", "--endpoint", server.endpoint,
                           "--latency", latency], cwd=probes, stderr=subprocess.STDOUT,
                          env={**os.environ, **server.keys.client.environment()})
finally:
    server.stop()
sys.exit(done.returncode)
"""


def probe_environment(server: RunningServer) -> dict[str, str]:
    """The probes sign with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: the engine's pair."""
    return {**os.environ, **server.keys.client.environment()}


def command(endpoint: str) -> list[str]:
    return [sys.executable, "run.py", "--endpoint", endpoint]


def run_probes(
    server: RunningServer, folder: Path = PROBES, *arguments: str
) -> subprocess.CompletedProcess[str]:
    """A probe suite's `run.py` in `folder`, from outside, against `server`, with its pair."""
    return subprocess.run(
        [*command(server.endpoint), *arguments],
        env=probe_environment(server),
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def failures(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": fails --" in line]


def start_probes_with_latency() -> Background:
    """Started when collection ends: the run mostly waits, so the other tests run meanwhile."""
    return Background.start(
        [sys.executable, "-c", PROBES_WITH_LATENCY, str(LATENCY), str(PROBES)], cwd=REPO
    )


def test_probe_suite(sandbox: RunningServer) -> None:
    done = run_probes(sandbox)

    assert (done.returncode, failures(done.stdout)) == (0, [])
    assert re.search(r"^\d+ passed, 0 failed$", done.stdout, re.MULTILINE), done.stdout


@pytest.mark.early(start=start_probes_with_latency)
def test_probe_suite_with_latency(early_output: tuple[int, str]) -> None:
    code, output = early_output

    assert (code, failures(output)) == (0, []), output
    assert re.search(r"^\d+ passed, 0 failed$", output, re.MULTILINE), output
    assert ": skipped --" not in output
