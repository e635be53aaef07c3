"""One request to an HTTP API served as API Gateway serves it: stage, CORS preflight, route,
JWT authorizer, the Lambda proxy integration (payload format 2.0) and its answer.

The answers API Gateway makes itself are JSON `{"message": ...}` bodies: 404 "Not Found" when no
stage or route matches, 401/403 from the authorizer, 500 "Internal Server Error" when the
integration cannot be invoked (no permission, no function) or fails, or answers something that
is no response, 503 "Service Unavailable" when the function outlasts the integration's timeout
(after the function ends: the sandbox cannot cut it short). Not modelled: the stage's throttling
(`DefaultRouteSettings`: no request is refused with 429), payload format 1.0, and integrations
other than Lambda proxy (each answered with 500).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from orchestrator.sandbox.apis import cors, http_events
from orchestrator.sandbox.apis.addresses import ApiAddress, host_name, raw_path
from orchestrator.sandbox.apis.http_routes import RouteMatch, StagePath, match_route, select_stage
from orchestrator.sandbox.apis.jwt_authorizer import Refused, authorize
from orchestrator.sandbox.apis.lambda_targets import (
    IntegrationFailed,
    IntegrationRefused,
    IntegrationTimedOut,
    invoke_integration,
)
from orchestrator.sandbox.apis.registry import FoundApi

StartResponse = Callable[..., Any]
_log = logging.getLogger(__name__)


def serve(
    environ: dict[str, Any], start_response: StartResponse, address: ApiAddress, found: FoundApi
) -> Iterable[bytes]:
    answer = _answer(environ, address, found)
    return _send(start_response, answer)


def _answer(
    environ: dict[str, Any], address: ApiAddress, found: FoundApi
) -> http_events.HttpAnswer:
    api = found.api
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    headers = http_events.request_headers(environ)
    body = http_events.read_body(environ)
    stage = select_stage(api.stages.keys(), address.path)
    if stage is None:
        return _message(404, "Not Found")
    if cors.is_preflight(api.cors_configuration, method, headers):
        return http_events.HttpAnswer(
            204, cors.preflight_headers(api.cors_configuration, headers), b""
        )
    matched = match_route(api.routes.values(), method, stage.route_path)
    if matched is None:
        return _message(404, "Not Found")
    answer = _through_route(environ, address, found, stage, matched, headers, body)
    return http_events.HttpAnswer(
        answer.status,
        cors.response_headers(api.cors_configuration, headers, answer.headers),
        answer.body,
    )


def _through_route(
    environ: dict[str, Any],
    address: ApiAddress,
    found: FoundApi,
    stage: StagePath,
    matched: RouteMatch,
    headers: dict[str, str],
    body: bytes,
) -> http_events.HttpAnswer:
    route = matched.route
    authorizer_context = None
    if str(route.authorization_type or "NONE").upper() == "JWT":
        authorizer = found.api.authorizers.get(route.authorizer_id)
        if authorizer is None:
            return _message(500, "Internal Server Error")
        decision = authorize(authorizer, route, headers)
        if isinstance(decision, Refused):
            answer = _message(decision.status, decision.message)
            return http_events.HttpAnswer(
                answer.status,
                [*answer.headers, ("www-authenticate", decision.challenge)],
                answer.body,
            )
        authorizer_context = decision.context
    facts = http_events.RequestFacts(
        api_id=address.api_id,
        account_id=found.account_id,
        stage=stage.stage,
        route_key=str(route.route_key),
        raw_path=raw_path(environ, address),
        domain_name=_domain_name(environ, address),
        path_parameters=matched.path_parameters,
        authorizer=authorizer_context,
    )
    return _invoke(found, route, facts, http_events.build_event(environ, facts, body), stage)


def _invoke(
    found: FoundApi,
    route: Any,
    facts: http_events.RequestFacts,
    event: dict[str, Any],
    stage: StagePath,
) -> http_events.HttpAnswer:
    target = str(route.target or "")
    if not target.startswith("integrations/"):
        return _message(404, "Not Found")
    source_arn = _source_arn(found, facts, event["requestContext"]["http"]["method"], stage)
    try:
        result = invoke_integration(facts.api_id, target.split("/", 1)[1], event, source_arn)
        answer = http_events.answer_of(result)
    except IntegrationTimedOut as exc:
        _log.warning("%s %s: %s", facts.route_key, facts.raw_path, exc)
        return _message(503, "Service Unavailable")
    except (IntegrationRefused, IntegrationFailed, http_events.InvalidAnswer) as exc:
        # what the developer needs to see why the API answered 500 (API Gateway logs it too)
        _log.warning("%s %s: %s", facts.route_key, facts.raw_path, exc)
        return _message(500, "Internal Server Error")
    return http_events.HttpAnswer(
        answer.status, [*answer.headers, ("apigw-requestid", facts.request_id)], answer.body
    )


def _source_arn(
    found: FoundApi, facts: http_events.RequestFacts, method: str, stage: StagePath
) -> str:
    """`arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}` of this request;
    `.../{stage}/$default` for the `$default` route."""
    prefix = f"arn:aws:execute-api:{found.region}:{found.account_id}:{facts.api_id}/{stage.stage}"
    if facts.route_key == "$default":
        return f"{prefix}/$default"
    return f"{prefix}/{method}/{stage.route_path.lstrip('/')}"


def _domain_name(environ: dict[str, Any], address: ApiAddress) -> str:
    name = host_name(environ.get("HTTP_HOST", ""))
    if name.startswith(f"{address.api_id}.execute-api."):
        return name
    return f"{address.api_id}.execute-api.localhost"  # path-style: the name it also answers on


def _message(status: int, message: str) -> http_events.HttpAnswer:
    body = json.dumps({"message": message}).encode()
    return http_events.HttpAnswer(status, [("content-type", "application/json")], body)


def _send(start_response: StartResponse, answer: http_events.HttpAnswer) -> list[bytes]:
    reason = _reason(answer.status)
    headers = [(k, v) for k, v in answer.headers if k.lower() != "content-length"]
    headers.append(("content-length", str(len(answer.body))))
    start_response(f"{answer.status} {reason}", headers)
    return [answer.body]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
