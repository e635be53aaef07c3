"""The WSGI app in front of the engine's AWS endpoints for the traffic AWS serves without a
signature: the APIs deployed into the engine (`addresses`), and the user pools' public key sets
(`identity.well_known`). Everything else goes to the fallback app (the guard's key checks).

An HTTP API is served here (`http_api`); a WebSocket upgrade goes to `websocket.server`; other
requests for a WebSocket API (the signed `@connections` management calls) go to the fallback, as
they are AWS calls, not API traffic.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from orchestrator.sandbox.apis import http_api
from orchestrator.sandbox.apis.addresses import ApiAddress, api_address
from orchestrator.sandbox.apis.registry import find_api
from orchestrator.sandbox.apis.websocket import server as websocket
from orchestrator.sandbox.identity import well_known

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
App = Callable[[Environ, StartResponse], Iterable[bytes]]


class ApiFrontend:
    def __init__(self, fallback_app: App) -> None:
        self._fallback = fallback_app

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        address = api_address(environ)
        if address is None:
            if well_known.is_well_known(environ):
                return well_known.serve(environ, start_response)
            return self._fallback(environ, start_response)
        if _is_upgrade(environ):
            return websocket.serve(environ, start_response, address)
        return self._serve(environ, start_response, address)

    def _serve(
        self, environ: Environ, start_response: StartResponse, address: ApiAddress
    ) -> Iterable[bytes]:
        found = find_api(address.api_id)
        if found is None:
            return _not_found(start_response)
        if str(found.api.protocol_type).upper() != "HTTP":
            return self._fallback(environ, start_response)
        return http_api.serve(environ, start_response, address, found)


def _is_upgrade(environ: Environ) -> bool:
    return str(environ.get("HTTP_UPGRADE", "")).lower() == "websocket"


def _not_found(start_response: StartResponse) -> list[bytes]:
    body = json.dumps({"message": "Not Found"}).encode()
    start_response(
        "404 Not Found", [("content-type", "application/json"), ("content-length", str(len(body)))]
    )
    return [body]
