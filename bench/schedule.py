"""Schedule efficiency: wall time of a deploy over its critical-path lower bound.

A 40-workflow random graph with unequal stack durations (1-6 s, from each template's
Metadata.FireflySandbox.Latency) is deployed on an in-process sandbox twice, each time into a
fresh project: once by firefly's ready-queue, once level by level (each level waits for the
slowest stack of the one before), the way a pile of workflow files with `needs:` per level runs.
Each change set takes as long as its stack, or `--change-set-latency` seconds (1 s is what
../shared/peer-bench uses: AWS computes a change set in seconds, whatever the stack costs).
Target: ready-queue wall / critical path <= 1.05.
With `--breakdown`, the ready-queue run also prints where its time went along the chain of stacks
that decided it (bench/timeline.py) and the CloudFormation calls it made; `--ready-queue-only`
skips the level-by-level run.
Run: python bench/schedule.py [--count 40] [--seed 7] [--concurrency 40]
     [--change-set-latency 1] [--breakdown] [--ready-queue-only]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import FileTemplates, write_manifest
from timeline import TimedStacks, breakdown, engine_moments

from orchestrator.aws.cloudformation import CloudFormationStacks
from orchestrator.aws.session import SANDBOX_ACCOUNT, connect
from orchestrator.engine.deploy import DeployRequest, DeployServices, deploy
from orchestrator.engine.ports import NullObserver
from orchestrator.graph import deploy_graph
from orchestrator.manifest import load_manifest
from orchestrator.manifest.models import Manifest
from orchestrator.sandbox.cloudformation.model import store_for
from orchestrator.sandbox.server import RunningServer, start_server


def run(
    server: RunningServer,
    folder: Path,
    *,
    level_by_level: bool,
    concurrency: int,
    explain: bool = False,
) -> float:
    manifest = load_manifest(folder / "workflows.yaml")
    keys = (server.keys.client.access_key_id, server.keys.client.secret_access_key)
    clients = connect(
        "us-east-1", expected_account=None, endpoint=server.endpoint, sandbox_keys=keys
    )
    stacks = TimedStacks(CloudFormationStacks(clients.cloudformation))
    services = DeployServices(stacks=stacks, templates=FileTemplates(folder))
    started, epoch = time.perf_counter(), time.time()
    try:
        _deploy(manifest, services, level_by_level=level_by_level, concurrency=concurrency)
        return time.perf_counter() - started
    finally:
        if explain:
            _explain(manifest, stacks, clients.calls.counts(), epoch)


def _deploy(
    manifest: Manifest, services: DeployServices, *, level_by_level: bool, concurrency: int
) -> None:
    if level_by_level:
        for level in deploy_graph(manifest).levels():
            request = DeployRequest(
                "local", tuple(level), with_prerequisites=False, concurrency=concurrency
            )
            _check(deploy(manifest, request, services, NullObserver()).results)
    else:
        request = DeployRequest("local", concurrency=concurrency)
        _check(deploy(manifest, request, services, NullObserver()).results)


def _explain(manifest: Manifest, stacks: TimedStacks, calls: dict[str, int], epoch: float) -> None:
    workflows = {w: manifest.stack_name(w, "local") for w in manifest.workflows}
    needs = {w: sorted(deploy_graph(manifest).prerequisites(w)) for w in manifest.workflows}
    engine = engine_moments(store_for(SANDBOX_ACCOUNT, "us-east-1"), workflows)
    for line in breakdown(needs, stacks.marks, engine, workflows, epoch):
        print(line)
    cloudformation = {k: v for k, v in calls.items() if k.startswith("cloudformation:")}
    print(f"CloudFormation calls {sum(cloudformation.values())}: {cloudformation}")


def _check(results: object) -> None:
    failed = {
        n: r.error
        for n, r in results.items()  # type: ignore[attr-defined]
        if r.status.value != "deployed"
    }
    if failed:
        raise SystemExit(f"bench deploy failed: {failed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=40)
    parser.add_argument("--change-set-latency", type=float, default=None)
    parser.add_argument("--breakdown", action="store_true")
    parser.add_argument("--ready-queue-only", action="store_true")
    args = parser.parse_args()
    change_set = args.change_set_latency
    server = start_server(port=0)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            figures = {}
            runs = (("ready-queue", False), ("level-by-level", True))
            for label, by_level in runs[:1] if args.ready_queue_only else runs:
                folder = Path(tmp) / label
                latency = write_manifest(
                    folder,
                    project=f"bench-{label}",
                    count=args.count,
                    seed=args.seed,
                    durations=(1.0, 6.0),
                    change_set_latency=change_set,
                )
                graph = deploy_graph(load_manifest(folder / "workflows.yaml"))
                # Each stack costs its change set's time, then its own latency.
                path, bound = graph.critical_path(
                    {w: s + (s if change_set is None else change_set) for w, s in latency.items()}
                )
                wall = run(
                    server,
                    folder,
                    level_by_level=by_level,
                    concurrency=args.concurrency,
                    explain=args.breakdown and not by_level,
                )
                figures[label] = (wall, bound, len(path))
            for label, (wall, bound, length) in figures.items():
                print(
                    f"{label:15} wall {wall:6.2f} s  critical path {bound:6.2f} s "
                    f"({length} stacks)  ratio {wall / bound:5.3f}"
                )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
