"""Lambda REQUEST authorizers on `$connect`, as "Controlling access to WebSocket APIs with AWS
Lambda REQUEST authorizers" describes them
(https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html):
a handshake without one of the authorizer's identity sources (`route.request.header.NAME`,
`route.request.querystring.NAME`) is refused 401 without calling it; otherwise the function gets
a `REQUEST` event with the route's `methodArn`, and the IAM policy it returns decides: an Allow
for `execute-api:Invoke` on the method opens the connection and hands its principal and
`context` to the integration as `requestContext.authorizer`; anything else is 403; a function
that fails, answers no policy, or may not be invoked by API Gateway (its permission names the
authorizer, `.../{apiId}/authorizers/{authorizerId}`) is 500.

IAM authorization (AWS_IAM) is not modelled: such a route refuses every handshake (403), never
lets one through unchecked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from orchestrator.sandbox.apis.lambda_targets import IntegrationRefused, function_at, may_invoke
from orchestrator.sandbox.fixes.lambda_invoke_runs_handler import run_handler
from orchestrator.sandbox.policy_conditions import as_strings
from orchestrator.sandbox.resource_policy import Decision, evaluate

_OPEN = ("", "NONE")


@dataclass(frozen=True)
class Authorization:
    """A handshake's authorization: refused with `status`, or allowed with `context`."""

    status: int | None = None
    context: dict[str, Any] | None = None


def authorize(api: Any, route: Any, event: dict[str, Any]) -> Authorization:
    """Authorize the `$connect` whose integration event is `event` on `route` of `api`."""
    kind = str(getattr(route, "authorization_type", "") or "").upper()
    if kind in _OPEN:
        return Authorization()
    authorizer = api.authorizer(route.authorizer_id) if kind == "CUSTOM" else None
    if authorizer is None or str(authorizer.authorizer_type).upper() != "REQUEST":
        return Authorization(403)
    if not all(_present(source, event) for source in as_strings(authorizer.identity_source or [])):
        return Authorization(401)
    method_arn = api.source_arn("$connect")
    request = {"type": "REQUEST", "methodArn": method_arn, "stageVariables": {}}
    request |= {k: v for k, v in event.items() if k != "isBase64Encoded"}
    answer = _invoke(api, authorizer, request)
    if not isinstance(answer, dict) or not isinstance(answer.get("policyDocument"), dict):
        return Authorization(500)
    decision = evaluate(answer["policyDocument"], "execute-api:Invoke", method_arn, {})
    if decision is not Decision.ALLOW:
        return Authorization(403)
    context = answer.get("context")
    extra: dict[str, Any] = context if isinstance(context, dict) else {}
    return Authorization(context={"principalId": answer.get("principalId"), **extra})


def _present(source: str, event: dict[str, Any]) -> bool:
    """Whether the handshake carries identity source `source` (others are not checked)."""
    for prefix, member in (
        ("route.request.header.", "headers"),
        ("route.request.querystring.", "queryStringParameters"),
    ):
        if source.startswith(prefix):
            wanted = source[len(prefix) :].lower()
            values = event.get(member) or {}
            return any(k.lower() == wanted and v for k, v in values.items())
    return True


def _invoke(api: Any, authorizer: Any, request: dict[str, Any]) -> object:
    """The authorizer function's answer; None when it cannot be had."""
    try:
        function = function_at(str(authorizer.authorizer_uri or ""), api.account_id, api.region)
    except IntegrationRefused:  # a missing function is API Gateway's 500
        return None
    if not may_invoke(function, api.execute_api_arn(f"authorizers/{authorizer.id}")):
        return None
    outcome = run_handler(function, request)
    if outcome.failed:
        return None
    try:
        return json.loads(outcome.payload or b"null")
    except ValueError:
        return None
