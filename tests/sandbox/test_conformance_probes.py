"""The repository's own conformance probes (tests/sandbox-conformance: drift, HTTP APIs,
WebSocket APIs, S3 CORS), run from outside against the session's engine like the shared suite in
test_cfn_probes: every item works."""

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
WEBSOCKET_ITEMS = (
    "connect",
    "route_selection",
    "post_delivered",
    "get_connection",
    "delete_closes",
    "gone_after_close",
    "connect_without_permission_refused",
)
S3_CORS_ITEMS = (
    "allowed_preflight",
    "allowed_put",
    "foreign_preflight_403",
    "foreign_put_no_cors",
    "no_configuration_403",
)
S3_OBJECT_ITEMS = (
    "signed_form_body_kept",
    "presigned_form_body_kept",
    "presigned_binary_form_body_kept",
)


def test_every_probe_of_the_repository_works(sandbox: RunningServer) -> None:
    done = run_probes(sandbox, PROBES)

    assert (done.returncode, failures(done.stdout)) == (0, []), done.stdout + done.stderr
    areas = (
        ("drift", DRIFT_ITEMS),
        ("http_api", HTTP_API_ITEMS),
        ("websocket", WEBSOCKET_ITEMS),
        ("s3_cors", S3_CORS_ITEMS),
        ("s3_objects", S3_OBJECT_ITEMS),
    )
    for area, expected in areas:
        working = re.findall(rf"^{area}\.(\w+): works --", done.stdout, re.MULTILINE)
        assert sorted(working) == sorted(expected), done.stdout
    total = sum(len(expected) for _, expected in areas)
    assert f"{total} passed, 0 failed" in done.stdout
