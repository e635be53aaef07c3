"""firefly against Sceptre on one engine in one run: ../shared/peer-bench/run.sh, isolated.

Runs the peer bench (its README says how it works) on free ports, with a private sandbox state
folder, and this checkout's firefly first on the path, then prints the two ratios the issue
targets: firefly's CloudFormation calls and wall time over Sceptre's (each <= 0.5).
Sceptre lives in its own venv, never in the project's:
    python3 -m venv /tmp/sceptre-venv && /tmp/sceptre-venv/bin/pip install sceptre
Run: python bench/peer.py [--nodes 40] [--seed 7] [--sceptre /tmp/sceptre-venv/bin/sceptre]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUN_SH = REPO.parent / "shared" / "peer-bench" / "run.sh"
CALLS = re.compile(r"firefly/sceptre (\d+\.\d+)\s*$")
TARGET = 0.5


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


def ratios(output: str) -> tuple[float, float] | None:
    """(calls, wall) firefly/sceptre from run.sh's last two lines."""
    found = [float(m.group(1)) for line in output.splitlines() if (m := CALLS.search(line))]
    return (found[0], found[1]) if len(found) == 2 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sceptre", default="/tmp/sceptre-venv/bin/sceptre")
    args = parser.parse_args()
    if not Path(args.sceptre).is_file():
        print(f"no Sceptre at {args.sceptre}; install it as this file's docstring says")
        return 2
    with tempfile.TemporaryDirectory(prefix="peer-state-") as state:
        env = environment(Path(state), args.sceptre, args.nodes, args.seed)
        done = subprocess.run(
            ["bash", str(RUN_SH)], cwd=REPO, env=env, capture_output=True, text=True, check=False
        )
    print(done.stdout, end="")
    found = ratios(done.stdout)
    if done.returncode != 0 or found is None:
        print(f"run.sh failed ({done.returncode}): {done.stderr.strip()[-400:]}")
        return 1
    calls, wall = found
    print(
        f"targets: calls {calls:.2f}x Sceptre's (<= {TARGET}), wall {wall:.2f}x (<= {TARGET}); "
        "a shared, noisy machine: compare within one run"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
