"""The management API answers at `{engine}/{stage}/@connections/{id}`, as at
`https://{api-id}.execute-api.{region}.amazonaws.com/{stage}/@connections/{id}` on AWS.

A handler's management client is made with the WebSocket API's URL including its stage, which in
a sandbox environment is the API's path-style address on this engine
(`http://127.0.0.1:PORT/_api/{apiId}/{stage}`) or this engine's URL plus the stage. moto's
server recognises the management API by a path that starts with `/@connections` only and
sends a stage-prefixed path to IoT (both sign as `execute-api`), and its own route for stage
paths never matches (its regex becomes a Flask rule with a literal `+`): both answer 404.
"""

from __future__ import annotations

from typing import Any

from moto.apigatewaymanagementapi import urls
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

_MARK = "_firefly_stage_paths"
CONNECTIONS = "/@connections/"
BROKEN_ROUTE = "{0}/(?P<stage_name>.+/)+@connections/(?P<connection_id>[^/]+)$"
# the stage may follow a served API's path-style address (`/_api/{apiId}`), hence slashes in it;
# moto turns each named group into a Flask converter and keeps no other group
STAGE_ROUTE = "{0}/(?P<stage_name>[^@]+)/@connections/(?P<connection_id>[^/]+)$"


def install() -> None:
    # read when the server first builds the management API's routes, after install
    handler = urls.url_paths.pop(BROKEN_ROUTE, None)
    if handler is not None:
        urls.url_paths[STAGE_ROUTE] = handler
    original = DomainDispatcherApplication.infer_service_region_host
    if getattr(original, _MARK, False):
        return

    def infer(self: DomainDispatcherApplication, environ: dict[str, Any], path: str) -> Any:
        path_info = str(environ.get("PATH_INFO", ""))
        if CONNECTIONS in path_info and not path_info.startswith(CONNECTIONS):
            # only the service inference sees the path without its stage; the request keeps it
            stageless = CONNECTIONS + path_info.split(CONNECTIONS, 1)[1]
            environ = {**environ, "PATH_INFO": stageless}
        return original(self, environ, path)

    setattr(infer, _MARK, True)
    setattr(DomainDispatcherApplication, "infer_service_region_host", infer)  # noqa: B010
