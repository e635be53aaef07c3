"""Which served API a request is addressed to (provisional: the `httpapi` branch owns this
module; only the names the WebSocket half codes against are here)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from orchestrator.sandbox.guard.hosts import is_local_host

_PATH_STYLE = re.compile(r"^/_api/(?P<api_id>[a-z0-9]+)(?P<path>/[^?]*)?$")
_HOST_STYLE = re.compile(
    r"^(?P<api_id>[a-z0-9]+)\.execute-api\.(?:[a-z0-9-]+\.)?localhost\.?(?::\d+)?$"
)


@dataclass(frozen=True)
class ApiAddress:
    api_id: str
    path: str  # after the api id, from `/`, the stage included, no query


def api_address(environ: dict[str, Any]) -> ApiAddress | None:
    host = str(environ.get("HTTP_HOST", "")).lower()
    path = str(environ.get("PATH_INFO", "")) or "/"
    hosted = _HOST_STYLE.match(host)
    if hosted:
        return ApiAddress(hosted.group("api_id"), path)
    routed = _PATH_STYLE.match(path)
    if routed and is_local_host(host):
        return ApiAddress(routed.group("api_id"), routed.group("path") or "/")
    return None
