"""The repository's own conformance probes (tests/sandbox-conformance: drift), run from outside
against the session's engine like the shared suite in test_cfn_probes: every item works."""

from __future__ import annotations

import re

from orchestrator.sandbox.server import RunningServer
from tests.conftest import REPO
from tests.sandbox.test_cfn_probes import failures, run_probes

PROBES = REPO / "tests" / "sandbox-conformance"
DRIFT_ITEMS = (
    "in_sync",
    "in_sync_resource",
    "ttl_drifted",
    "ttl_difference",
    "drift_information",
    "deleted",
    "defaults_not_drift",
)


def test_drift_probes_all_work(sandbox: RunningServer) -> None:
    done = run_probes(sandbox, PROBES)

    assert (done.returncode, failures(done.stdout)) == (0, []), done.stdout + done.stderr
    working = re.findall(r"^drift\.(\w+): works --", done.stdout, re.MULTILINE)
    assert sorted(working) == sorted(DRIFT_ITEMS), done.stdout
    assert f"{len(DRIFT_ITEMS)} passed, 0 failed" in done.stdout
