"""The repository's own conformance probes (tests/sandbox-conformance: drift), run from outside
against the session's engine like the shared suite in test_cfn_probes: every item works."""

from __future__ import annotations

import re
import subprocess

from orchestrator.sandbox.server import RunningServer
from tests.conftest import REPO
from tests.sandbox.test_cfn_probes import command, failures, probe_environment

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
    done = subprocess.run(
        command(sandbox.endpoint),
        env=probe_environment(sandbox),
        cwd=PROBES,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert (done.returncode, failures(done.stdout)) == (0, []), done.stdout + done.stderr
    working = re.findall(r"^drift\.(\w+): works --", done.stdout, re.MULTILINE)
    assert sorted(working) == sorted(DRIFT_ITEMS), done.stdout
    assert f"{len(DRIFT_ITEMS)} passed, 0 failed" in done.stdout
