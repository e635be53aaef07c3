"""An API's Lambda proxy integration invoked as API Gateway invokes it.

API Gateway calls the function as the service principal `apigateway.amazonaws.com`, so the
function's resource-based policy must allow `lambda:InvokeFunction` to that principal with the
calling route as `AWS:SourceArn` (`arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/
{path}`); without it the caller gets 500 and the function never runs
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html,
https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway.html#apigateway-permissions).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from moto.awslambda.models import lambda_backends
from moto.core.exceptions import JsonRESTError

from orchestrator.sandbox.apis.registry import find_api
from orchestrator.sandbox.fixes.lambda_invoke_runs_handler import run_handler
from orchestrator.sandbox.resource_policy import Decision, evaluate

SERVICE_PRINCIPAL = "apigateway.amazonaws.com"
_MAX_TIMEOUT_MS = 30_000
INVOKE_ACTION = "lambda:InvokeFunction"
# an integration URI is the function's ARN or API Gateway's invocation path that wraps it
_WRAPPED = re.compile(
    r"^arn:[\w-]+:apigateway:[\w-]+:lambda:path/[^/]+/functions/(?P<arn>.+)/invocations$"
)


class IntegrationRefused(Exception):
    """The integration cannot be invoked: it or its function is missing, or the function's
    policy does not let API Gateway invoke it for this route."""


class IntegrationFailed(Exception):
    """The function ran and failed: it raised, crashed or timed out."""


class IntegrationTimedOut(IntegrationFailed):
    """The function took longer than the integration waits (`TimeoutInMillis`, 30 s at most
    for an HTTP API): API Gateway has answered 503 by then. The sandbox cannot cut the handler
    short, so the caller waits for it, then gets that answer."""


def invoke_integration(
    api_id: str, integration_id: str, event: dict[str, Any], source_arn: str
) -> object:
    """Run the integration's function with `event` and return its decoded result."""
    function = _function(api_id, integration_id)
    if not may_invoke(function, source_arn):
        raise IntegrationRefused(
            f"{SERVICE_PRINCIPAL} may not invoke {function.function_arn} for {source_arn}"
        )
    started = time.monotonic()
    outcome = run_handler(function, event)
    if (time.monotonic() - started) * 1000 > _timeout_ms(api_id, integration_id):
        raise IntegrationTimedOut(f"{function.function_arn} outlasted the integration's timeout")
    if outcome.failed:
        raise IntegrationFailed(outcome.payload.decode(errors="replace"))
    try:
        return json.loads(outcome.payload) if outcome.payload else None
    except ValueError as exc:  # the runner encodes every result as JSON
        raise IntegrationFailed(f"the handler's result is not JSON: {exc}") from exc


def _function(api_id: str, integration_id: str) -> Any:
    found = find_api(api_id)
    if found is None:
        raise IntegrationRefused(f"no API {api_id}")
    integration = found.api.integrations.get(integration_id)
    if integration is None:
        raise IntegrationRefused(f"no integration {integration_id} on API {api_id}")
    return function_at(str(integration.integration_uri or ""), found.account_id, found.region)


def function_at(uri: str, account: str, region: str) -> Any:
    """The function an integration or authorizer URI names (a bare name or ARN is the API's
    account and region's)."""
    wrapped = _WRAPPED.match(uri)
    name_or_arn = wrapped["arn"] if wrapped else uri
    account, region = _arn_place(name_or_arn, account, region)
    try:
        return lambda_backends[account][region].get_function(name_or_arn)
    except JsonRESTError as exc:
        raise IntegrationRefused(f"no function {name_or_arn}") from exc


def _timeout_ms(api_id: str, integration_id: str) -> float:
    found = find_api(api_id)
    integration = found.api.integrations.get(integration_id) if found else None
    configured = getattr(integration, "timeout_in_millis", None)
    return float(configured or _MAX_TIMEOUT_MS)


def _arn_place(arn: str, account: str, region: str) -> tuple[str, str]:
    """A function ARN's account and region; the API's for a bare function name."""
    parts = arn.split(":")
    if len(parts) >= 6 and parts[0] == "arn":
        return parts[4] or account, parts[3] or region
    return account, region


def may_invoke(function: Any, source_arn: str) -> bool:
    """Whether the function's policy lets API Gateway invoke it for `source_arn`."""
    statements = list(function.policy.statements)
    if not statements:
        return False
    document = {"Statement": statements}
    context = {
        "aws:principalservicename": [SERVICE_PRINCIPAL],
        "aws:sourcearn": [source_arn],
        "aws:sourceaccount": [str(function.account_id)],
    }
    return evaluate(document, INVOKE_ACTION, str(function.function_arn), context) is Decision.ALLOW
