"""firefly against Sceptre on one engine in one run: ../shared/peer-bench/run.sh, isolated.

Runs the peer bench (its README says how it works) on free ports, with a private sandbox state
folder, and this checkout's firefly first on the path, then prints the two ratios the issue
targets: firefly's CloudFormation calls and wall time over Sceptre's (each <= 0.5).
With `--unrelated N`, N other stacks are created in the region as soon as run.sh's sandbox is
up (a `firefly` first on the path does it after `firefly sandbox up`), before either tool runs:
the issue wants the same figures with 500 unrelated stacks already in the region.
Sceptre lives in its own venv, never in the project's:
    python3 -m venv /tmp/sceptre-venv && /tmp/sceptre-venv/bin/pip install sceptre
Run: python bench/peer.py [--nodes 40] [--seed 7] [--unrelated 500]
     [--sceptre /tmp/sceptre-venv/bin/sceptre]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import boto3

REPO = Path(__file__).resolve().parents[1]
RUN_SH = REPO.parent / "shared" / "peer-bench" / "run.sh"
CALLS = re.compile(r"firefly/sceptre (\d+\.\d+)\s*$")
TARGET = 0.5
# After `firefly sandbox up`: the engine's key pair (when it issues one), then the other stacks.
SHIM = """#!/bin/bash
"{firefly}" "$@" || exit $?
if [ "$1" = sandbox ] && [ "$2" = up ]; then
  eval "$("{firefly}" sandbox env 2>/dev/null)"
  "{python}" "{peer}" --add-unrelated "{count}" >/dev/null || exit 1
fi
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(state: Path, sceptre: str, nodes: int, seed: int) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)  # the venv that has firefly's entry point
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(REPO),
        "FIREFLY_STATE_DIR": str(state),
        "FIREFLY_SANDBOX_PORT": str(free_port()),
        "PROXY_PORT": str(free_port()),
        "SCEPTRE": sceptre,
        "NODES": str(nodes),
        "SEED": str(seed),
    }


def shim_first_on_path(env: dict[str, str], folder: Path, count: int) -> None:
    """A `firefly` that adds `count` unrelated stacks once the sandbox is up."""
    real = shutil.which("firefly", path=env["PATH"])
    if real is None:
        raise SystemExit("no firefly on the path")
    shim = folder / "firefly"
    text = SHIM.format(firefly=real, python=sys.executable, peer=Path(__file__), count=count)
    shim.write_text(text, encoding="utf-8")
    shim.chmod(0o755)
    env["PATH"] = f"{folder}{os.pathsep}{env['PATH']}"


def add_unrelated(count: int) -> None:
    """Stacks with nothing to do with the deploy, created on the sandbox run.sh started."""
    from api_calls import UNRELATED_TEMPLATE  # the same stack as bench/api_calls.py's

    endpoint = os.environ.get(
        "AWS_ENDPOINT_URL", f"http://127.0.0.1:{os.environ['FIREFLY_SANDBOX_PORT']}"
    )
    client = boto3.client(
        "cloudformation",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "t"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "t"),
    )
    for index in range(count):
        client.create_stack(StackName=f"unrelated-{index:04d}", TemplateBody=UNRELATED_TEMPLATE)


def ratios(output: str) -> tuple[float, float] | None:
    """(calls, wall) firefly/sceptre from run.sh's last two lines."""
    found = [float(m.group(1)) for line in output.splitlines() if (m := CALLS.search(line))]
    return (found[0], found[1]) if len(found) == 2 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sceptre", default="/tmp/sceptre-venv/bin/sceptre")
    parser.add_argument("--unrelated", type=int, default=0)
    parser.add_argument("--add-unrelated", type=int, help=argparse.SUPPRESS)  # the shim's
    args = parser.parse_args()
    if args.add_unrelated is not None:
        add_unrelated(args.add_unrelated)
        return 0
    if not Path(args.sceptre).is_file():
        print(f"no Sceptre at {args.sceptre}; install it as this file's docstring says")
        return 2
    with tempfile.TemporaryDirectory(prefix="peer-state-") as state:
        env = environment(Path(state), args.sceptre, args.nodes, args.seed)
        if args.unrelated:
            shim_first_on_path(env, Path(state), args.unrelated)
        done = subprocess.run(
            ["bash", str(RUN_SH)], cwd=REPO, env=env, capture_output=True, text=True, check=False
        )
    print(done.stdout, end="")
    found = ratios(done.stdout)
    if done.returncode != 0 or found is None:
        print(f"run.sh failed ({done.returncode}): {done.stderr.strip()[-400:]}")
        return 1
    calls, wall = found
    among = f" with {args.unrelated} unrelated stacks in the region" if args.unrelated else ""
    print(
        f"targets{among}: calls {calls:.2f}x Sceptre's (<= {TARGET}), "
        f"wall {wall:.2f}x (<= {TARGET}); a shared, noisy machine: compare within one run"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
