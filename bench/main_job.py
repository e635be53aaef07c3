"""The main job: a fresh `firefly deploy --env local` of this repository, then a no-op redeploy.

The fresh deploy includes starting the sandbox (a private state folder and a free port, so an
engine the caller runs is never touched); the cfn-lint cache is whatever the caller's is: run
`firefly validate` once first and it is warm, as on a developer's machine. Prints both wall
times against the targets (10 s and 3 s) and the integration suite's share of each (the
`tests` workflow's `seconds` in the report), then stops the sandbox.
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
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SUITE_WORKFLOW = "run-integration-tests"  # the workflow of type `tests`
TARGETS = {"fresh deploy": 10.0, "no-op redeploy": 3.0}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def firefly(env: dict[str, str], *args: str) -> tuple[int, float, str]:
    """Exit code, wall seconds and merged output of one `firefly` run."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "orchestrator", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, time.perf_counter() - start, done.stdout + done.stderr


def workflow_seconds(report: Path) -> dict[str, float]:
    """Each workflow's `seconds` in the `--report` JSON (none if the run wrote no report)."""
    try:
        workflows = json.loads(report.read_text(encoding="utf-8"))["workflows"]
    except (OSError, ValueError, KeyError):
        return {}
    return {name: float(result.get("seconds") or 0.0) for name, result in workflows.items()}


def deploy(env: dict[str, str], label: str, environment: str, folder: Path) -> bool:
    report = folder / f"{label.replace(' ', '-')}.json"
    code, seconds, output = firefly(env, "deploy", "--env", environment, "--report", str(report))
    seconds_of = workflow_seconds(report)
    suite = seconds_of.get(SUITE_WORKFLOW)
    share = f"{suite:.1f} s ({suite / seconds:.0%})" if suite is not None else "not in the report"
    target = TARGETS[label]
    verdict = "meets" if seconds <= target else "misses"
    print(
        f"{label}: {seconds:.1f} s (target <= {target:g} s: {verdict}); "
        f"integration suite {share}; exit {code}",
        flush=True,
    )
    slowest = sorted(seconds_of.items(), key=lambda item: -item[1])[:4]
    print("  slowest workflows: " + ", ".join(f"{n} {s:.1f} s" for n, s in slowest), flush=True)
    if code != 0:
        print(output[-2000:], flush=True)
    return code == 0


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
        print(
            "main job on this machine (a shared, noisy one: compare with care); the cfn-lint "
            "cache is the caller's (warm after one 'firefly validate')",
            flush=True,
        )
        try:
            ok = deploy(env, "fresh deploy", args.env, folder)
            ok = deploy(env, "no-op redeploy", args.env, folder) and ok
        finally:
            code, _, output = firefly(env, "sandbox", "down")
            if code != 0:
                print(f"sandbox down failed: {output.strip()}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
