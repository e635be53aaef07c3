"""The WSGI middleware in front of moto's app that answers some client calls with a fault.

Eligible: a call to CloudFormation, S3, Lambda or STS signed with a SigV4 `Authorization` header,
its service read from the credential scope (`Credential=AKID/date/region/SERVICE/aws4_request`).
Never faulted: the engine's own work (moto's `/moto-api`, firefly's `/_firefly/` paths, the calls
of the Lambda handlers the engine hosts, which sign with their own access key id) and presigned
URLs (their signature is in the query string). `GET /_firefly/faults` answers the counts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wsgi import get_input_stream

from orchestrator.sandbox.faults.answers import ANSWERS, Answer, answer
from orchestrator.sandbox.faults.spec import FaultDice, FaultSpec
from orchestrator.sandbox.lambda_host.runner import HANDLER_ACCESS_KEY_ID

COUNTS_PATH = "/_firefly/faults"
_ENGINE_PATHS = ("/moto-api", "/_firefly/")
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/,\s]+/[^/,\s]+/([^/,\s]+)/aws4_request")

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
App = Callable[[Environ, StartResponse], Iterable[bytes]]


def eligible_service(environ: Environ) -> str | None:
    """The service of a client call that may be faulted, or None."""
    if environ.get("PATH_INFO", "").startswith(_ENGINE_PATHS):
        return None
    signed = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if signed is None or signed.group(1) == HANDLER_ACCESS_KEY_ID:
        return None
    service = signed.group(2)
    return service if service in ANSWERS else None


class FaultInjector:
    """Answers the fraction of eligible calls that `spec` names with a fault; passes the rest."""

    def __init__(self, app: App, spec: FaultSpec) -> None:
        self._app = app
        self.dice = FaultDice(spec)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == COUNTS_PATH and environ.get("REQUEST_METHOD") == "GET":
            return _respond(start_response, self._counts())
        service = eligible_service(environ)
        fault = self.dice.roll() if service is not None else None
        if service is None or fault is None:
            return self._app(environ, start_response)
        _drain(environ)
        return _respond(start_response, answer(service, fault, head=_is_head(environ)))

    def _counts(self) -> Answer:
        body = json.dumps({**self.dice.counts(), "faults": self.dice.spec.text}).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        return Answer("200 OK", headers, body)


def _is_head(environ: Environ) -> bool:
    return bool(environ.get("REQUEST_METHOD") == "HEAD")


def _drain(environ: Environ) -> None:
    # read the whole request before answering: a client still sending an upload (S3 PutObject)
    # would otherwise see its connection reset instead of the answer
    stream = get_input_stream(environ)
    while stream.read(1 << 16):
        pass


def _respond(start_response: StartResponse, reply: Answer) -> list[bytes]:
    start_response(reply.status, reply.headers)
    return [reply.body]
