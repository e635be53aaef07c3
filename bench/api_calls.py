"""AWS calls a deploy makes, counted at the boto3 clients, on an in-process sandbox.

1. Twenty independent stacks in flight at once (each held *_IN_PROGRESS by the sandbox for
   --latency seconds): CloudFormation calls per minute while they execute. Target <= 60 in
   total, against ~30 per stack per minute (600) for per-stack polling every 2 s.
2. A no-op redeploy of the repository's whole manifest: calls by operation, uploads, change
   sets and seconds. Target: one status sweep, zero uploads, zero change sets.
Run: python bench/api_calls.py [--latency 30]
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import FileTemplates, write_manifest

from orchestrator.aws.cloudformation import CloudFormationStacks
from orchestrator.aws.session import AwsClients, connect
from orchestrator.connect import (
    Connection,
    artifact_store,
    deploy_services,
    packaged_templates,
)
from orchestrator.engine.deploy import DeployRequest, DeployServices, deploy
from orchestrator.engine.ports import NullObserver
from orchestrator.manifest import environment, load_manifest
from orchestrator.sandbox.server import start_server

REPO = Path(__file__).resolve().parents[1]


class CallLog:
    """Every call a boto3 client makes, with the time it was made."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str, str]] = []
        self._lock = threading.Lock()

    def watch(self, client: Any) -> None:
        service = client.meta.service_model.service_name
        client.meta.events.register(
            "before-call.*.*", lambda model, **_: self._record(service, model.name)
        )

    def _record(self, service: str, operation: str) -> None:
        with self._lock:
            self.calls.append((time.monotonic(), service, operation))

    def count(self, service: str, start: float = 0.0, end: float = float("inf")) -> int:
        return sum(1 for t, s, _ in self.calls if s == service and start <= t <= end)

    def by_operation(self) -> dict[str, int]:
        return dict(collections.Counter(f"{s}:{o}" for _, s, o in self.calls))


def stacks_in_flight(endpoint: str, latency: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        manifest_path = folder / "workflows.yaml"
        write_manifest(
            folder,
            project="bench-flight",
            count=20,
            seed=1,
            durations=(latency, latency),
            linked=False,
        )
        manifest = load_manifest(manifest_path)
        clients = connect("us-east-1", expected_account=None, endpoint=endpoint)
        log = CallLog()
        log.watch(clients.cloudformation)
        stacks = CloudFormationStacks(clients.cloudformation)
        services = DeployServices(stacks=stacks, templates=FileTemplates(folder))
        started = time.monotonic()
        deploy(manifest, DeployRequest("local", concurrency=20), services, NullObserver())
        ended = time.monotonic()
        executing = [t for t, _, op in log.calls if op == "ExecuteChangeSet"]
        window_start = max(executing)
        window = ended - window_start
        in_flight = log.count("cloudformation", window_start, ended)
        total = log.count("cloudformation")
        print(
            f"20 stacks in flight: {in_flight} CloudFormation calls in {window:.0f} s of "
            f"execution = {in_flight / window * 60:.0f} per minute (target <= 60; per-stack "
            f"polling every 2 s: 600); whole deploy {total} calls in {ended - started:.0f} s "
            f"({stacks.poller.sweeps} status sweeps)"
        )


def noop_redeploy(endpoint: str) -> None:
    manifest = load_manifest(REPO / "workflows.yaml")
    env = environment(manifest, "local")
    stack_workflows = tuple(n for n, w in manifest.workflows.items() if w.has_stack)
    request = DeployRequest("local", only=stack_workflows)
    deploy(manifest, request, _services(manifest, env, endpoint, CallLog()), NullObserver())
    log = CallLog()
    services = _services(manifest, env, endpoint, log)
    started = time.monotonic()
    result = deploy(manifest, request, services, NullObserver())
    seconds = time.monotonic() - started
    statuses = collections.Counter(r.status.value for r in result.results.values())
    operations = log.by_operation()
    print(f"no-op redeploy of {len(stack_workflows)} stacks: {dict(statuses)} in {seconds:.2f} s")
    print(f"  calls: {operations}")
    print(
        f"  uploads {operations.get('s3:PutObject', 0)}, change sets "
        f"{operations.get('cloudformation:CreateChangeSet', 0)}, status sweeps "
        f"{operations.get('cloudformation:DescribeStacks', 0)}"
    )


def _services(manifest: Any, env: Any, endpoint: str, log: CallLog) -> DeployServices:
    clients: AwsClients = connect(env.region, expected_account=None, endpoint=endpoint)
    log.watch(clients.cloudformation)
    log.watch(clients.s3)
    stacks = CloudFormationStacks(clients.cloudformation)
    templates = packaged_templates(manifest, artifact_store(manifest, env, clients))
    connection = Connection(env, clients, stacks, templates)
    return deploy_services(manifest, connection)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=30.0)
    args = parser.parse_args()
    server = start_server(port=0)
    try:
        noop_redeploy(server.endpoint)
        stacks_in_flight(server.endpoint, args.latency)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
