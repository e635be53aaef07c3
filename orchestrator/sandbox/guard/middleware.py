"""The WSGI middleware in front of everything the engine serves.

In order: a request for a name that is not this machine is refused (`hosts`); the traffic AWS
serves unsigned by design, the APIs deployed into the engine and the user pools' key sets, goes to
`apis.frontend.ApiFrontend`, whose answers carry the served API's own CORS headers (its
`CorsConfiguration`, as API Gateway applies it); the engine's own
endpoints (`/moto-api/...`, `/_firefly/...`, but the read-only page `GET /moto-api/` that tells the
engine answers) need the client's access key id in the `x-firefly-access-key-id` header; a signed
request must name one of the engine's keys (or one it issued: an IAM user's, an assumed
role's); an unsigned one passes only where AWS serves it
unsigned (`unsigned`). moto's own CORS headers are stripped from every answer (moto reflects any
origin); an S3 request to a bucket gets instead the CORS headers S3 would answer from the bucket's
CORS configuration (`s3_cors`), and its preflight S3's answer. No other answer carries a CORS
header: no web page may read one or send a preflighted request.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DEFAULT_SERVICE_REGION, DomainDispatcherApplication

from orchestrator.sandbox import s3_cors
from orchestrator.sandbox.apis.frontend import ApiFrontend
from orchestrator.sandbox.aws_errors import Answer, answer_early
from orchestrator.sandbox.guard import refusals, unsigned
from orchestrator.sandbox.guard.hosts import is_local_host
from orchestrator.sandbox.guard.issued import issued_by_engine
from orchestrator.sandbox.guard.keys import EngineKeys
from orchestrator.sandbox.guard.signing import access_key_id, signing_service

CONTROL_KEY_HEADER = "x-firefly-access-key-id"
_CONTROL_PATHS = ("/moto-api", "/_firefly/")
_HEALTH = ("GET", "/moto-api/")
_INSTANCE_METADATA = ("/latest/meta-data/", "/latest/api/")
_DEFAULT_HOST = "{}.{}.amazonaws.com".format(*DEFAULT_SERVICE_REGION)

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
App = Callable[[Environ, StartResponse], Iterable[bytes]]


class RequestGuard:
    """Passes on what the developer's own tools send; answers everything else with a refusal."""

    def __init__(self, app: App, keys: EngineKeys, dispatcher: DomainDispatcherApplication) -> None:
        self._app = app
        self._keys = keys
        self._dispatcher = dispatcher
        self._frontend = ApiFrontend(self._checked)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST", "")
        if not is_local_host(host):
            head = environ.get("REQUEST_METHOD") == "HEAD"
            return answer_early(environ, start_response, refusals.foreign_host(host, head))
        return self._frontend(environ, start_response)

    def _checked(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """The engine's AWS endpoints: only for the developer's own keys."""
        refusal = self._refusal(environ)
        if refusal is not None:
            return answer_early(environ, start_response, refusal)
        target = self._cross_origin_s3(environ)
        if target is None:
            return self._app(environ, _without_cors(start_response))
        rules = s3_cors.bucket_rules(target.bucket)
        if environ.get("REQUEST_METHOD") == "OPTIONS":
            return answer_early(environ, start_response, s3_cors.preflight(target, rules, environ))
        method, origin = environ.get("REQUEST_METHOD", ""), environ.get("HTTP_ORIGIN")
        allowed = s3_cors.response_headers(rules, method, origin)
        return self._app(environ, _without_cors(start_response, allowed))

    def _cross_origin_s3(self, environ: Environ) -> s3_cors.S3Target | None:
        """The bucket of an S3 request CORS applies to: a preflight, or one from a web page."""
        if environ.get("REQUEST_METHOD") != "OPTIONS" and not environ.get("HTTP_ORIGIN"):
            return None
        if environ.get("PATH_INFO", "").startswith(_CONTROL_PATHS):
            return None
        return s3_cors.s3_target(environ) if self._backend(environ) == "s3" else None

    def _refusal(self, environ: Environ) -> Answer | None:
        head = environ.get("REQUEST_METHOD") == "HEAD"
        path = environ.get("PATH_INFO", "")
        if path.startswith(_CONTROL_PATHS):
            allowed = (environ.get("REQUEST_METHOD"), path) == _HEALTH or self._is_client(
                environ.get("HTTP_X_FIREFLY_ACCESS_KEY_ID", "")
            )
            return None if allowed else refusals.control_without_key(head)
        key = access_key_id(environ)
        if key is None:
            if unsigned.is_served(environ, self._backend):
                return None
            return refusals.unsigned(refusals.protocol(environ, None), head)
        if self._keys.accepts(key) or issued_by_engine(key):
            return None
        return refusals.unknown_key(refusals.protocol(environ, signing_service(environ)), head)

    def _is_client(self, key: str) -> bool:
        return hmac.compare_digest(key.encode(), self._keys.client.access_key_id.encode())

    def _backend(self, environ: Environ) -> str | None:
        """The moto backend an unsigned request goes to, decided as moto's dispatcher does."""
        path = environ.get("PATH_INFO", "")
        if path.startswith(_INSTANCE_METADATA):
            return "instance_metadata"
        host = self._dispatcher.infer_service_region_host(environ, path) or _DEFAULT_HOST
        backend = self._dispatcher.get_backend_for_host(host)
        return str(backend) if backend else None


def _without_cors(
    start_response: StartResponse, own: list[tuple[str, str]] | None = None
) -> StartResponse:
    """Drop moto's CORS headers; `own` are the ones the engine computed in their place."""

    def start(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
        kept = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
        if own:
            kept = [(k, v) for k, v in kept if k.lower() != "vary"] + own
        return start_response(status, kept, *args)

    return start
