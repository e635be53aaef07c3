"""Requests for a served API (provisional: the `httpapi` branch owns this module; only the
WebSocket hand-over is here)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from orchestrator.sandbox.apis import websocket
from orchestrator.sandbox.apis.addresses import api_address

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ApiFrontend:
    def __init__(self, fallback_app: App) -> None:
        self._fallback = fallback_app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        address = api_address(environ)
        if address is None:
            return self._fallback(environ, start_response)
        if environ.get("HTTP_UPGRADE", "").lower() == "websocket":
            return websocket.serve(environ, start_response, address)
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"message":"Not Found"}']
