"""The whole manifest deployed, redeployed and deleted while the sandbox throttles 30% of the
calls and fails 5% more: every one of them must end as if AWS had been calm (issue 14)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from orchestrator.engine.results import WorkflowStatus
from orchestrator.sandbox.state import read_keys
from tests.conftest import MANIFEST, CliResult, engine_process
from tests.e2e.conftest import read_report
from tests.sandbox_access import control_request, session, use_engine

FAULTS = "throttle=0.3,error=0.05,seed=7"
Firefly = Callable[..., CliResult]


def statuses(report: dict[str, Any]) -> set[str]:
    return {w["status"] for w in report["workflows"].values()}


def test_the_whole_manifest_survives_a_storm_of_throttling_and_failures(
    tmp_path: Path, firefly: Firefly, monkeypatch: pytest.MonkeyPatch
) -> None:
    with engine_process(tmp_path / "state", faults=FAULTS) as engine:
        use_engine(monkeypatch, engine)
        keys = read_keys(engine.state_dir)
        assert keys is not None
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

        def run(*argv: str) -> dict[str, Any]:
            report = tmp_path / f"{argv[0]}-{len(list(tmp_path.iterdir()))}.json"
            result = firefly(
                *argv, "--env", "local", "--report", str(report), "--manifest", str(MANIFEST)
            )
            assert result.code == 0, result.out + result.err
            return read_report(report)

        deployed = run("deploy")
        redeployed = run("deploy")
        deleted = run("delete", "--yes", "--disable-deletion-protection", "--empty-buckets")
        request = control_request(engine.endpoint, "/_firefly/faults", keys.client)
        with urllib.request.urlopen(request, timeout=10) as answer:
            faults = json.loads(answer.read())
        # The test reads what is left as the engine's own work does, outside the storm: with a
        # key the injector never faults, its handlers' (a client of its own would fail 1 run in
        # ~200).
        left = session(keys.handler).client("cloudformation", endpoint_url=engine.endpoint)
        remaining = [s["StackName"] for s in left.describe_stacks()["Stacks"]]

    assert statuses(deployed) == {WorkflowStatus.DEPLOYED.value, WorkflowStatus.PASSED.value}
    assert statuses(redeployed) == {WorkflowStatus.UNCHANGED.value, WorkflowStatus.PASSED.value}
    assert statuses(deleted) == {WorkflowStatus.DELETED.value}
    assert remaining == []
    assert faults["throttled"] > 20 and faults["failed"] > 0, faults  # the storm was real
    sent = sum(deployed["api_calls"].values())
    assert sent > faults["throttled"] / 3, deployed["api_calls"]  # and firefly's calls met it
