"""A WebSocket API's ApiEndpoint is `wss://{api-id}.execute-api.{region}.amazonaws.com`.

moto gives every API the `https://` endpoint of an HTTP API.
"""

from __future__ import annotations

from typing import Any

from moto.apigatewayv2.models import Api

_MARK = "_firefly_websocket_endpoint"


def install() -> None:
    if getattr(Api.__init__, _MARK, False):
        return
    original = Api.__init__

    def init(self: Api, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if str(self.protocol_type).upper() == "WEBSOCKET":
            self.api_endpoint = self.api_endpoint.replace("https://", "wss://", 1)

    setattr(init, _MARK, True)
    setattr(Api, "__init__", init)  # noqa: B010
