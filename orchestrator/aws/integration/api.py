"""The HTTP API routes of the system, called as clients call them: on the deployed HTTP API (the
sandbox serves it too) with a Cognito access token, API Gateway checking the token and building
the functions' events.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

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
    @property
    def subject(self) -> str:
        """The `sub` claim the functions see for this caller."""
        ...

    def call(self, request: ApiRequest) -> ApiResponse: ...


def _decode(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


class HttpApi:
    """Routes called on the deployed HTTP API with a Cognito access token."""

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
