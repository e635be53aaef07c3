"""The conformance probes (tests/data/sandbox-probes) of the services called directly: every item
of the lambda, dynamodb and services areas that does not go through CloudFormation works."""

from __future__ import annotations

import re

from orchestrator.sandbox.server import RunningServer
from tests.conftest import REPO
from tests.sandbox.test_cfn_probes import run_probes

PROBES = REPO / "tests" / "data" / "sandbox-probes"  # a copy of shared/sandbox-probes
AREAS = ("lambda", "dynamodb", "services")
VERDICT = re.compile(r"^((?:lambda|dynamodb|services)\.\w+): (works|fails|skipped) -- ")
# the CloudFormation items of these areas; tests/sandbox/test_cfn_probes.py holds them to account
THROUGH_CLOUDFORMATION = re.compile(
    r"^(dynamodb\.(cfn_\w+|delete_protected_stack_fails|retain_\w+|recreate_retained_\w+)|"
    r"services\.cfn_\w+|lambda\.cfn_\w+)$"
)
# every direct item the probes declared when this test was written; a renamed one must not
# silently drop out of the check
EXPECTED = {
    "lambda.publish_layer_from_s3",
    "lambda.create_function_from_s3",
    "lambda.get_function_code",
    "lambda.invoke_runs_handler",
    "lambda.invoke_log_tail",
    "lambda.invoke_async",
    "lambda.update_code_and_publish_version",
    "lambda.update_configuration",
    "lambda.handler_calls_engine",
    "dynamodb.ttl",
    "dynamodb.stream_on_create_table",
    "dynamodb.stream_records",
    "dynamodb.deletion_protection",
    "dynamodb.event_source_mapping",
    "dynamodb.stream_delivered_to_function",
    "services.bucket_policy",
    "services.state_machine_execution",
    "services.http_api_jwt_authorizer",
    "services.list_authorizers",
    "services.websocket_routes",
    "services.unknown_connection_gone",
    "services.user_pool_and_client",
}


def test_every_direct_item_of_the_services_areas_works(sandbox: RunningServer) -> None:
    only = [arg for area in AREAS for arg in ("--only", area)]
    done = run_probes(sandbox, PROBES, *only)
    verdicts = {
        m.group(1): m.group(2) for line in done.stdout.splitlines() if (m := VERDICT.match(line))
    }
    direct = {item: v for item, v in verdicts.items() if not THROUGH_CLOUDFORMATION.match(item)}

    assert set(direct) >= EXPECTED, done.stdout + done.stderr
    assert {item: v for item, v in direct.items() if v != "works"} == {}, done.stdout
