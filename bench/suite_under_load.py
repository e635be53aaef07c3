"""The test suite, several times in a row, while CPU-bound processes compete for the cores.

A test that waits for a fixed time instead of a condition passes on a quiet machine and fails on
a busy one; this is the busy one. Prints each run's wall time and pytest's summary, then how
many runs passed. The burners stop by themselves at a deadline, and when the runs end.
Run: python bench/suite_under_load.py [--runs 3] [--burners 2] [-- PYTEST ARGS...]
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SUMMARY = re.compile(r"^=* ?(\d+ (passed|failed).*) in [\d.]+s.*$")


def burn(deadline: float) -> None:
    """Keep one core busy until the deadline."""
    count = 0
    while time.monotonic() < deadline:
        count += 1


def run_suite(pytest_args: list[str]) -> tuple[int, float, str]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    lines = [m.group(1) for line in done.stdout.splitlines() if (m := SUMMARY.match(line))]
    failed = [line for line in done.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    summary = "; ".join(lines[-1:] + failed) or done.stdout[-500:]
    if done.returncode:
        kept = Path(tempfile.gettempdir()) / f"suite-under-load-{int(time.time())}.log"
        kept.write_text(done.stdout + done.stderr, encoding="utf-8")
        summary += f" (whole output: {kept})"
    return done.returncode, seconds, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--burners", type=int, default=2)
    parser.add_argument("--limit", type=float, default=3600, help="seconds the burners may run")
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args()

    deadline = time.monotonic() + args.limit
    burners = [
        multiprocessing.Process(target=burn, args=(deadline,), daemon=True)
        for _ in range(args.burners)
    ]
    for burner in burners:
        burner.start()
    passed = 0
    try:
        for number in range(1, args.runs + 1):
            code, seconds, summary = run_suite(args.pytest_args)
            passed += code == 0
            print(f"run {number}: exit {code} in {seconds:.0f} s: {summary}", flush=True)
    finally:
        for burner in burners:
            burner.terminate()
            burner.join()
    print(f"{passed} of {args.runs} runs passed beside {args.burners} CPU-bound processes")


if __name__ == "__main__":
    main()
