"""The main job: a fresh `firefly deploy --env local` of this repository, then a no-op redeploy.

The fresh deploy includes starting the sandbox (a private state folder and a free port, so an
engine the caller runs is never touched); the cfn-lint cache is warm, as on a developer's
machine: an untimed `firefly validate` fills it first. Prints both wall times against the
targets (10 s and 3 s), the integration suite's share of each (the `tests` workflow's `seconds`
in the report) and where the rest went, then stops the sandbox.
Run: python bench/main_job.py [--env local]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SUITE_WORKFLOW = "run-integration-tests"  # the workflow of type `tests`
TARGETS = {"fresh deploy": 10.0, "no-op redeploy": 3.0}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Run:
    code: int
    launched: float  # epoch seconds
    seconds: float
    output: str


def firefly(env: dict[str, str], *args: str) -> Run:
    """One `firefly` run: its exit code, start, wall seconds and merged output."""
    launched, start = time.time(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "orchestrator", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    return Run(done.returncode, launched, seconds, done.stdout + done.stderr)


def workflows_of(report: Path) -> dict[str, dict[str, Any]]:
    """The `workflows` of the `--report` JSON (none if the run wrote no report)."""
    try:
        workflows: dict[str, dict[str, Any]] = json.loads(report.read_text(encoding="utf-8"))[
            "workflows"
        ]
    except (OSError, ValueError, KeyError):
        return {}
    return workflows


def _epoch(stamp: str | None) -> float | None:
    return datetime.fromisoformat(stamp).timestamp() if stamp else None


def phases(run: Run, workflows: dict[str, dict[str, Any]]) -> list[tuple[str, float]]:
    """Where the wall time went: before the first workflow started (CLI start, validate,
    sandbox start, lock), the stacks until the suite started, the suite, and after the last."""
    starts = [t for w in workflows.values() if (t := _epoch(w.get("started_at"))) is not None]
    ends = [t for w in workflows.values() if (t := _epoch(w.get("finished_at"))) is not None]
    if not starts or not ends:
        return []
    suite = workflows.get(SUITE_WORKFLOW, {})
    suite_start = _epoch(suite.get("started_at")) or max(ends)
    return [
        ("before the first workflow", min(starts) - run.launched),
        ("stacks", suite_start - min(starts)),
        ("integration suite", float(suite.get("seconds") or 0.0)),
        ("after the last workflow", run.launched + run.seconds - max(ends)),
    ]


def deploy(env: dict[str, str], label: str, environment: str, folder: Path) -> bool:
    report = folder / f"{label.replace(' ', '-')}.json"
    run = firefly(env, "deploy", "--env", environment, "--report", str(report))
    workflows = workflows_of(report)
    suite = workflows.get(SUITE_WORKFLOW, {}).get("seconds")
    share = f"{suite:.1f} s ({suite / run.seconds:.0%})" if suite is not None else "not run"
    target = TARGETS[label]
    verdict = "meets" if run.seconds <= target else "misses"
    print(
        f"{label}: {run.seconds:.1f} s (target <= {target:g} s: {verdict}); "
        f"integration suite {share}; exit {run.code}",
        flush=True,
    )
    print("  " + "; ".join(f"{name} {s:.1f} s" for name, s in phases(run, workflows)), flush=True)
    if run.code != 0:
        print(run.output[-2000:], flush=True)
    return run.code == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="local", help="a sandbox environment of the manifest")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="firefly-main-job-") as scratch:
        folder = Path(scratch)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
            "FIREFLY_STATE_DIR": str(folder / "state"),
            "FIREFLY_SANDBOX_PORT": str(free_port()),
        }
        env.pop("FIREFLY_SANDBOX_ENDPOINT", None)  # always the private engine, never another
        warm = firefly(env, "validate")
        print(
            "main job on this machine (a shared, noisy one: compare with care); cfn-lint cache "
            f"warm (an untimed 'firefly validate' first: exit {warm.code})",
            flush=True,
        )
        try:
            ok = deploy(env, "fresh deploy", args.env, folder)
            ok = deploy(env, "no-op redeploy", args.env, folder) and ok
        finally:
            down = firefly(env, "sandbox", "down")
            if down.code != 0:
                print(f"sandbox down failed: {down.output.strip()}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
