"""The HTTP API routes of the system, called the way each environment allows.

On the sandbox no API Gateway serves HTTP, so a route is its function invoked through the Lambda
API with the event API Gateway would send (HTTP API payload format 2.0, the validated JWT's claims
under `requestContext.authorizer.jwt.claims`). On a real environment the same requests go to the
deployed HTTP API with a Cognito access token, and API Gateway builds that event itself.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from orchestrator.aws.integration.deployment import Deployment
from orchestrator.aws.integration.support import CheckFailure
from orchestrator.errors import OrchestratorError

HTTP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Route:
    key: str  # the RouteKey of the template, "METHOD /path/{param}"
    workflow: str  # the workflow whose function integrates it
    authorized: bool  # behind the Cognito JWT authorizer

    @property
    def method(self) -> str:
        return self.key.split(" ", 1)[0]

    def path(self, parameters: Mapping[str, str]) -> str:
        path = self.key.split(" ", 1)[1]
        for name, value in parameters.items():
            path = path.replace("{" + name + "}", urllib.parse.quote(value, safe=""))
        return path


ROUTES = {
    route.key: route
    for route in (
        Route("PATCH /firmware/{zip_name}/status", "func-api-firmware-status-patch", True),
        Route("POST /registration-keys", "func-api-registration-keys-post", True),
        Route("GET /registration-keys", "func-api-registration-keys-get", True),
        Route("POST /devices/register", "func-api-devices-register-post", True),
        Route("POST /sessions", "func-qr-upload-http-api", False),
        Route("GET /upload-url", "func-qr-upload-http-api", False),
    )
}


@dataclass(frozen=True)
class ApiRequest:
    route: str
    path_parameters: Mapping[str, str] | None = None
    query: Mapping[str, str] | None = None
    body: Any = None  # sent as JSON when not None
    with_token: bool = True  # False: an anonymous caller, whatever the route requires


@dataclass(frozen=True)
class ApiResponse:
    status: int
    body: Any  # the decoded JSON body, or the raw text when it is not JSON

    def excerpt(self) -> str:
        text = self.body if isinstance(self.body, str) else json.dumps(self.body)
        return text[:300]


class Api(Protocol):
    subject: str  # the `sub` claim the functions see for this caller

    def call(self, request: ApiRequest) -> ApiResponse: ...


def _decode(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


class LambdaApi:
    """Routes as API Gateway would invoke them, through the Lambda API (the sandbox's way)."""

    def __init__(self, deployment: Deployment, claims: Mapping[str, str]) -> None:
        self.deployment = deployment
        self.claims = dict(claims)
        self.subject = self.claims["sub"]

    def call(self, request: ApiRequest) -> ApiResponse:
        route = ROUTES[request.route]
        event = http_api_event(
            route,
            request,
            self.deployment.outputs.get("api-gateway", {}),
            self.claims if route.authorized and request.with_token else None,
        )
        result = self.deployment.invoke(route.workflow, event)
        if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
            raise CheckFailure(f"{request.route}: not an HTTP API response: {result!r:.200}")
        return ApiResponse(result["statusCode"], _decode(result.get("body")))


def http_api_event(
    route: Route, request: ApiRequest, api: Mapping[str, str], claims: Mapping[str, str] | None
) -> dict[str, Any]:
    """The payload format 2.0 event of `request` on the `$default` stage."""
    path = route.path(request.path_parameters or {})
    query = dict(request.query or {})
    now = time.time()
    domain = urllib.parse.urlsplit(api.get("ApiEndpoint", "")).hostname or "localhost"
    context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": api.get("ApiId", "local"),
        "domainName": domain,
        "domainPrefix": domain.split(".")[0],
        "http": {
            "method": route.method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": "firefly-integration-tests",
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": route.key,
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": dict(claims), "scopes": None}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.key,
        "rawPath": path,
        "rawQueryString": urllib.parse.urlencode(query),
        "headers": {"content-type": "application/json", "host": domain},
        "requestContext": context,
        "isBase64Encoded": False,
    }
    # API Gateway leaves these keys out entirely when there is nothing to put in them.
    if query:
        event["queryStringParameters"] = query
    if request.path_parameters:
        event["pathParameters"] = dict(request.path_parameters)
    if request.body is not None:
        event["body"] = json.dumps(request.body)
    return event


def sandbox_claims(deployment: Deployment, subject: str) -> dict[str, str]:
    """Claims of a Cognito access token of the deployed user pool, as the authorizer passes
    them on (every value a string)."""
    cognito = deployment.outputs.get("cognito", {})
    now = int(time.time())
    return {
        "sub": subject,
        "iss": cognito.get("Issuer", ""),
        "client_id": cognito.get("UserPoolClientId", ""),
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "username": "firefly-integration-tests",
        "auth_time": str(now),
        "iat": str(now),
        "exp": str(now + 3600),
    }


class HttpApi:
    """Routes called on the deployed HTTP API with a Cognito access token (real environments)."""

    def __init__(self, endpoint: str, token: str) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.token = token
        self.subject = token_subject(token)

    def call(self, request: ApiRequest) -> ApiResponse:
        route = ROUTES[request.route]
        url = self.endpoint + route.path(request.path_parameters or {})
        if request.query:
            url += "?" + urllib.parse.urlencode(request.query)
        headers = {"Content-Type": "application/json"}
        if request.with_token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None if request.body is None else json.dumps(request.body).encode()
        http = urllib.request.Request(url, data=data, method=route.method, headers=headers)
        try:
            with urllib.request.urlopen(http, timeout=HTTP_TIMEOUT_SECONDS) as answer:
                return ApiResponse(answer.status, _decode(answer.read().decode()))
        except urllib.error.HTTPError as error:
            with error:
                return ApiResponse(error.code, _decode(error.read().decode()))


def token_subject(token: str) -> str:
    """The `sub` of a JWT, read without verifying it: API Gateway verifies, the suite only
    needs to know who the functions will record as the caller."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims["sub"])
    except (IndexError, ValueError, KeyError, TypeError) as error:
        raise OrchestratorError(
            f"the integration token is not a JWT with a sub claim ({error})"
        ) from None
