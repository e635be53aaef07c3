"""A deployed WebSocket API as the serving side needs it: its stage, and the route a message
takes.

Route selection follows "Working with routes for WebSocket APIs"
(https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-routes.html):
the API's RouteSelectionExpression (`$request.body.action`, also written `${request.body.action}`)
is evaluated on a JSON message; a value that names a route selects it, anything else (a message
that is not JSON, a missing member, an unknown key) goes to `$default`, and with no `$default`
route the message is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from orchestrator.sandbox.apis import registry

CONNECT = "$connect"
DISCONNECT = "$disconnect"
DEFAULT = "$default"
_BODY = "$request.body."


@dataclass(frozen=True)
class WebSocketApi:
    api_id: str
    stage: str
    account_id: str
    region: str
    _model: Any

    def source_arn(self, route_key: str) -> str:
        """The ARN API Gateway invokes a route's Lambda as (what a permission's SourceArn names)."""
        return self.execute_api_arn(f"{self.stage}/{route_key}")

    def execute_api_arn(self, path: str) -> str:
        return f"arn:aws:execute-api:{self.region}:{self.account_id}:{self.api_id}/{path}"

    @property
    def domain_name(self) -> str:
        return f"{self.api_id}.execute-api.{self.region}.amazonaws.com"

    def authorizer(self, authorizer_id: str | None) -> Any | None:
        return self._model.authorizers.get(authorizer_id) if authorizer_id else None

    def route(self, route_key: str) -> Any | None:
        return next((r for r in self._model.routes.values() if r.route_key == route_key), None)

    def integration_id(self, route_key: str) -> str | None:
        """The integration a route targets (`integrations/{id}`); None for a route without one."""
        route = self.route(route_key)
        target = str(getattr(route, "target", None) or "")
        return target.split("/", 1)[1] if target.startswith("integrations/") else None

    def select_route(self, message: str | bytes) -> str | None:
        """The route key a client message goes to; None when no route takes it."""
        key = _selected_key(str(self._model.route_selection_expression or ""), message)
        if key is not None and key not in (CONNECT, DISCONNECT) and self.route(key) is not None:
            return key
        return DEFAULT if self.route(DEFAULT) is not None else None

    def answers_client(self, route_key: str) -> bool:
        """A two-way route: the integration's answer goes back to the client."""
        route = self.route(route_key)
        return bool(getattr(route, "route_response_selection_expression", None))


def find_api(api_id: str, stage: str) -> WebSocketApi | None:
    """The WebSocket API `api_id` with its stage `stage`, in whichever account and region."""
    found = registry.find_api(api_id)
    if found is None or str(found.api.protocol_type).upper() != "WEBSOCKET":
        return None
    if stage not in found.api.stages:
        return None
    return WebSocketApi(api_id, stage, found.account_id, found.region, found.api)


def _selected_key(expression: str, message: str | bytes) -> str | None:
    expression = expression.strip()
    if expression.startswith("${") and expression.endswith("}"):
        expression = "$" + expression[2:-1]
    if not expression.startswith(_BODY):
        return expression or None  # a constant expression selects that key
    try:
        value: Any = json.loads(message)
    except ValueError:
        return None
    for member in expression[len(_BODY) :].split("."):
        if not isinstance(value, dict) or member not in value:
            return None
        value = value[member]
    return value if isinstance(value, str) else None
