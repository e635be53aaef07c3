"""How long `firefly` takes to answer: the floor under every command a person types.

Prints the median wall time of `firefly --help` and `firefly graph` (each a fresh process),
and of a bare `python -c pass` for reference. Target: `firefly graph` under 0.3 s.
Run: python bench/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from installed import installed_environ

REPO = Path(__file__).resolve().parents[1]
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "firefly --help": [sys.executable, "-m", "orchestrator", "--help"],
    "firefly graph": [sys.executable, "-m", "orchestrator", "graph", "--format", "json"],
    "firefly validate": [sys.executable, "-m", "orchestrator", "validate"],
}


def median_seconds(argv: list[str], runs: int) -> float:
    times = []
    for run in range(runs + 1):  # the first compiles the bytecode, as an install does
        start = time.perf_counter()
        subprocess.run(
            argv,
            cwd=REPO,
            env=installed_environ(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )
        if run:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    for label, argv in COMMANDS.items():
        print(f"{label:18} {median_seconds(argv, runs):6.3f} s  (median of {runs})")


if __name__ == "__main__":
    main()
