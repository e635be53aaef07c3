"""The WSGI middleware in front of moto's app that answers some client calls with a fault.

Eligible: a call to CloudFormation, S3, Lambda or STS signed with a SigV4 `Authorization` header,
its service read from the credential scope (`Credential=AKID/date/region/SERVICE/aws4_request`).
Never faulted: the engine's own work (moto's `/moto-api`, firefly's `/_firefly/` paths, the calls
of the Lambda handlers the engine hosts, which sign with the engine's handler key) and presigned
URLs (their signature is in the query string). `GET /_firefly/faults` answers the counts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from orchestrator.sandbox.aws_errors import answer_early
from orchestrator.sandbox.faults.answers import ANSWERS, Answer, answer
from orchestrator.sandbox.faults.spec import FaultDice, FaultSpec
from orchestrator.sandbox.guard.signing import header_scope

COUNTS_PATH = "/_firefly/faults"
_ENGINE_PATHS = ("/moto-api", "/_firefly/")

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
App = Callable[[Environ, StartResponse], Iterable[bytes]]


def eligible_service(environ: Environ, handler_key_id: str) -> str | None:
    """The service of a client call that may be faulted, or None."""
    if environ.get("PATH_INFO", "").startswith(_ENGINE_PATHS):
        return None
    signed = header_scope(environ)
    if signed is None or signed[0] == handler_key_id:
        return None
    return signed[1] if signed[1] in ANSWERS else None


class FaultInjector:
    """Answers the fraction of eligible calls that `spec` names with a fault; passes the rest."""

    def __init__(self, app: App, spec: FaultSpec, handler_key_id: str) -> None:
        self._app = app
        self.dice = FaultDice(spec)
        self._handler_key_id = handler_key_id

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == COUNTS_PATH and environ.get("REQUEST_METHOD") == "GET":
            return answer_early(environ, start_response, self._counts())
        service = eligible_service(environ, self._handler_key_id)
        fault = self.dice.roll() if service is not None else None
        if service is None or fault is None:
            return self._app(environ, start_response)
        return answer_early(environ, start_response, answer(service, fault, head=_is_head(environ)))

    def _counts(self) -> Answer:
        body = json.dumps({**self.dice.counts(), "faults": self.dice.spec.text}).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        return Answer("200 OK", headers, body)


def _is_head(environ: Environ) -> bool:
    return bool(environ.get("REQUEST_METHOD") == "HEAD")
