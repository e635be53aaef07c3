"""How `firefly validate` and `firefly graph` scale with the manifest: 40, 400 and 2,000 workflows.

Each size is a generated project (`bench/synthetic.py`: one template per workflow, a random
DAG). Every figure is the wall time of a fresh `firefly` process, as a person or a CI job runs it:
validate cold (an empty cfn-lint cache, `FIREFLY_CACHE_DIR`), validate warm (the same cache
again), and graph. Targets: validate of 400 stacks <= 30 s cold and <= 0.5 s warm; graph and
warm validate of 2,000 workflows < 1 s.
Run: python bench/scale.py [--sizes 40,400,2000] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from installed import installed_environ
from synthetic import write_manifest

REPO = Path(__file__).resolve().parents[1]

# The targets: seconds by number of workflows.
TARGETS = {
    "validate cold": {400: 30.0},
    "validate warm": {400: 0.5, 2000: 1.0},
    "graph": {2000: 1.0},
}


def timed_firefly(arguments: list[str], project: Path, cache: Path) -> float:
    """Seconds one `firefly` process takes in `project`; a failing command stops the bench."""
    environ = installed_environ(FIREFLY_CACHE_DIR=str(cache), PYTHONPATH=str(REPO))
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "orchestrator", *arguments],
        cwd=project,
        env=environ,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - start


def measure(size: int, runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="firefly-scale-") as folder:
        project, cache = Path(folder) / "project", Path(folder) / "cache"
        write_manifest(project, project="scale", count=size, seed=size, durations=(1.0, 1.0))
        cold = timed_firefly(["validate"], project, cache)
        warm = [timed_firefly(["validate"], project, cache) for _ in range(runs)]
        graph = [timed_firefly(["graph", "--format", "json"], project, cache) for _ in range(runs)]
    return {
        "validate cold": cold,
        "validate warm": statistics.median(warm),
        "graph": statistics.median(graph),
    }


def verdict(label: str, size: int, seconds: float) -> str:
    target = TARGETS[label].get(size)
    if target is None:
        return ""
    return f"  (target {target:g} s: {'ok' if seconds <= target else 'MISSED'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="40,400,2000")
    parser.add_argument("--runs", type=int, default=3, help="warm runs; the median is printed")
    options = parser.parse_args()
    print(f"{os.cpu_count()} cores; warm figures are the median of {options.runs} runs")
    for size in (int(text) for text in options.sizes.split(",")):
        for label, seconds in measure(size, options.runs).items():
            print(f"{size:5} workflows  {label:14} {seconds:7.2f} s{verdict(label, size, seconds)}")


if __name__ == "__main__":
    main()
