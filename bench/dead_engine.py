"""How long a deploy takes to end after its sandbox is killed mid-run (issue 14: within 15 s).

Starts an engine with a stack-operation latency, deploys the repository's manifest into it,
kills the engine with SIGKILL once a change set executes, and prints the seconds from the kill
to the deploy's exit, its exit code and its last error line.
Run: python bench/dead_engine.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import engine_process  # noqa: E402 (after the path is set)
from tests.e2e.background import (  # noqa: E402
    background_deploy,
    cloudformation,
    wait_until_a_stack_executes,
)


def one_run() -> tuple[float, int, str]:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        with (
            engine_process(work / "state", 2.0) as engine,
            background_deploy(engine, work, "--concurrency", "4") as deploy,
        ):
            wait_until_a_stack_executes(cloudformation(engine), deploy)
            os.kill(engine.pid, signal.SIGKILL)
            killed = time.perf_counter()
            deploy.process.wait(timeout=300)
            seconds = time.perf_counter() - killed
        errors = [line for line in deploy.stderr.read_text().splitlines() if "error:" in line]
        return seconds, deploy.process.returncode, errors[-1] if errors else "(no error line)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    for run in range(1, runs + 1):
        seconds, code, line = one_run()
        print(f"run {run}: ended {seconds:.1f} s after the kill, exit {code}: {line[:120]}")


if __name__ == "__main__":
    main()
