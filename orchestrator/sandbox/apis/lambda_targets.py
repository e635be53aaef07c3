"""Invoking an API's Lambda integration as API Gateway does (provisional: the `httpapi` branch
owns this module; only the names the WebSocket half codes against are here)."""

from __future__ import annotations

import json
from typing import Any

from orchestrator.sandbox.policy_conditions import as_strings
from orchestrator.sandbox.resource_policy import Decision, evaluate

_PRINCIPAL = "apigateway.amazonaws.com"


class IntegrationRefused(Exception):
    """The function is missing or its resource policy does not let API Gateway invoke it."""


class IntegrationFailed(Exception):
    """The handler raised or timed out."""


def invoke_integration(
    api_id: str, integration_id: str, event: dict[str, Any], source_arn: str
) -> object:
    from moto.apigatewayv2.models import apigatewayv2_backends
    from moto.awslambda.models import lambda_backends

    from orchestrator.sandbox.fixes.lambda_invoke_runs_handler import run_handler

    function = None
    for account, regions in apigatewayv2_backends.items():
        for region, backend in regions.items():
            api = backend.apis.get(api_id)
            integration = api.integrations.get(integration_id) if api else None
            if integration is not None:
                arn = _function_arn(str(integration.integration_uri or ""))
                try:
                    function = lambda_backends[account][region].get_function(arn)
                except Exception as exc:
                    raise IntegrationRefused(f"no function {arn}") from exc
    if function is None or not _allowed(function, source_arn):
        raise IntegrationRefused(f"API Gateway may not invoke the integration {integration_id}")
    outcome = run_handler(function, event)
    if outcome.failed:
        raise IntegrationFailed(outcome.payload.decode(errors="replace"))
    return json.loads(outcome.payload or b"null")


def _function_arn(uri: str) -> str:
    if "/functions/" in uri:
        return uri.split("/functions/", 1)[1].removesuffix("/invocations")
    return uri


def _allowed(function: Any, source_arn: str) -> bool:
    policy = getattr(function, "policy", None)
    statements = [
        {k: v for k, v in s.items() if k != "Principal"}
        for s in (policy.statements if policy else [])
        if _PRINCIPAL in as_strings((s.get("Principal") or {}).get("Service", []))
    ]
    context = {"aws:sourcearn": [source_arn]}
    arn = function.function_arn
    decision = evaluate({"Statement": statements}, "lambda:InvokeFunction", arn, context)
    return decision is Decision.ALLOW
