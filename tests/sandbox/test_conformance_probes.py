"""The repository's own conformance probes (tests/sandbox-conformance: drift, HTTP APIs), run from
outside against the session's engine like the shared suite in test_cfn_probes: every item works."""

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
HTTP_API_ITEMS = (
    "most_specific_route",
    "path_parameters",
    "no_route_404",
    "pool_token_passes",
    "no_token_401",
    "foreign_token_401",
    "no_permission_500",
    "permission_allows",
)


def test_the_repository_s_probes_all_work(sandbox: RunningServer) -> None:
    done = run_probes(sandbox, PROBES)

    assert (done.returncode, failures(done.stdout)) == (0, []), done.stdout + done.stderr
    drift = re.findall(r"^drift\.(\w+): works --", done.stdout, re.MULTILINE)
    http_api = re.findall(r"^http_api\.(\w+): works --", done.stdout, re.MULTILINE)
    assert sorted(drift) == sorted(DRIFT_ITEMS), done.stdout
    assert sorted(http_api) == sorted(HTTP_API_ITEMS), done.stdout
    assert f"{len(DRIFT_ITEMS) + len(HTTP_API_ITEMS)} passed, 0 failed" in done.stdout
