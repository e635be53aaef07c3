"""AWS calls of whole firefly runs, per operation: a deploy, a no-op redeploy and a delete.

Each run is the real command (`firefly deploy`/`delete --report`), so every phase counts: the
environment lock, the status sweep, packaging, change sets, waits, the integration suite. The
figures are the report's `api_calls` (one per HTTP request, retries included), on a sandbox this
script starts in-process. Scenarios:
1. the repository's manifest (`--env local`);
2. ../shared/peer-bench's generated graph (`--nodes`, stacks 1-6 s, change sets 1 s where the
   sandbox honours ChangeSetLatency), alone in the region and again with `--unrelated` other
   stacks already there: a status look must not cost more because of them.
Targets: a no-op redeploy makes the status sweep only (one DescribeStacks per 100 stacks in the
region at most, no upload, no change set); the peer graph's CloudFormation calls stay <= 0.5x
Sceptre's (bench/peer.py) with or without the unrelated stacks.
Run: python bench/api_calls.py [--nodes 40] [--unrelated 500] [--skip-repository]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from orchestrator.aws.session import connect
from orchestrator.sandbox import state
from orchestrator.sandbox.server import RunningServer, start_server

REPO = Path(__file__).resolve().parents[1]
PEER = REPO.parent / "shared" / "peer-bench"
UNRELATED_TEMPLATE = json.dumps(
    {
        "Resources": {
            "Param": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "x"}}
        }
    }
)


def firefly(args: list[str], env: dict[str, str], report: Path) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-m", "orchestrator", *args, "--report", str(report)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"firefly {' '.join(args)} failed: {done.stderr.strip()[-400:]}")
    calls: dict[str, int] = json.loads(report.read_text(encoding="utf-8"))["api_calls"]
    return calls


def show(phase: str, calls: dict[str, int]) -> None:
    cloudformation = sum(v for k, v in calls.items() if k.startswith("cloudformation:"))
    listed = ", ".join(f"{k} {v}" for k, v in sorted(calls.items(), key=lambda kv: -kv[1]))
    print(f"  {phase:<16} CloudFormation {cloudformation:>4}; all: {listed or 'none'}")


def lifecycle(manifest: Path, env_name: str, env: dict[str, str], folder: Path) -> None:
    """Deploy, deploy again (nothing changed), delete: each a whole run, counted."""
    common = ["--manifest", str(manifest), "--env", env_name]
    show("deploy", firefly(["deploy", *common, "-j", "40"], env, folder / "deploy.json"))
    show("no-op redeploy", firefly(["deploy", *common, "-j", "40"], env, folder / "noop.json"))
    delete = ["delete", *common, "--yes", "--confirm", env_name, "-j", "40"]
    show("delete", firefly(delete, env, folder / "delete.json"))


def add_unrelated(server: RunningServer, count: int) -> None:
    """`count` stacks that have nothing to do with the deploy, already complete."""
    keys = (server.keys.client.access_key_id, server.keys.client.secret_access_key)
    client = connect(
        "us-east-1", expected_account=None, endpoint=server.endpoint, sandbox_keys=keys
    ).cloudformation
    for index in range(count):
        client.create_stack(StackName=f"unrelated-{index:04d}", TemplateBody=UNRELATED_TEMPLATE)


def peer_graph(folder: Path, nodes: int) -> Path:
    subprocess.run(
        [sys.executable, str(PEER / "gen.py"), str(folder), "--nodes", str(nodes)],
        check=True,
        capture_output=True,
    )
    return folder / "workflows.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=40)
    parser.add_argument("--unrelated", type=int, default=500)
    parser.add_argument("--skip-repository", action="store_true")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the engine's request log
    with tempfile.TemporaryDirectory(prefix="api-calls-") as tmp:
        server = start_server(port=0)
        state.write_keys(Path(tmp), server.keys)  # where firefly reads the engine's key pair
        env: dict[str, Any] = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "FIREFLY_SANDBOX_ENDPOINT": server.endpoint,
            "FIREFLY_STATE_DIR": tmp,
        }
        try:
            if not args.skip_repository:
                print("the repository's manifest, --env local:")
                lifecycle(REPO / "workflows.yaml", "local", env, Path(tmp))
            manifest = peer_graph(Path(tmp) / "peer", args.nodes)
            print(f"peer-bench graph, {args.nodes} stacks, alone in the region:")
            lifecycle(manifest, "bench", env, Path(tmp))
            add_unrelated(server, args.unrelated)
            print(f"the same with {args.unrelated} unrelated stacks in the region:")
            lifecycle(manifest, "bench", env, Path(tmp))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
