"""The conformance probes (tests/data/sandbox-probes), the issue's acceptance test: the whole suite
ends `N passed, 0 failed` against the engine, without and with latency."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator

import pytest

from orchestrator.sandbox.server import RunningServer
from tests.conftest import REPO

PROBES = REPO / "tests" / "data" / "sandbox-probes"  # a copy of shared/sandbox-probes
LATENCY = 0.5
ENGINE = """
import sys
from orchestrator.sandbox.server import start_server
server = start_server(port=0, latency=float(sys.argv[1]))
print(server.endpoint, flush=True)
sys.stdin.read()
server.stop()
"""


def command(endpoint: str, latency: float | None = None) -> list[str]:
    args = [sys.executable, "run.py", "--endpoint", endpoint]
    return args + (["--latency", str(latency)] if latency is not None else [])


def failures(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": fails --" in line]


@pytest.fixture(scope="module", autouse=True)
def latency_run() -> Iterator[subprocess.Popen[str]]:
    """The probes against an engine started with latency, in its own process (the latency is
    process-wide), started first: they mostly wait, so the other tests run meanwhile."""
    engine = subprocess.Popen(
        [sys.executable, "-c", ENGINE, str(LATENCY)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert engine.stdout is not None and engine.stdin is not None
    endpoint = engine.stdout.readline().strip()
    run = subprocess.Popen(
        command(endpoint, LATENCY),
        cwd=PROBES,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield run
    finally:
        if run.poll() is None:
            run.kill()
        run.communicate()
        engine.stdin.close()  # the engine stops when its input ends
        engine.wait(timeout=10)
        engine.stdout.close()


def test_probe_suite(sandbox: RunningServer) -> None:
    done = subprocess.run(
        command(sandbox.endpoint),
        cwd=PROBES,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert (done.returncode, failures(done.stdout)) == (0, [])
    assert re.search(r"^\d+ passed, 0 failed$", done.stdout, re.MULTILINE), done.stdout


def test_probe_suite_with_latency(latency_run: subprocess.Popen[str]) -> None:
    output, _ = latency_run.communicate(timeout=300)

    assert (latency_run.returncode, failures(output)) == (0, [])
    assert re.search(r"^\d+ passed, 0 failed$", output, re.MULTILINE), output
    assert ": skipped --" not in output
