"""Lambda Invoke runs the function's real Python handler, not a Docker container.

moto starts a Docker container per invoke (and echoes an error without Docker). Here the handler
runs in a subprocess on the host with its environment, code and layers, its SDK calls pointed
at this engine; the response carries its result or its error (`FunctionError: Unhandled`),
the log tail, and `InvocationType=Event` answers 202 at once and runs in the background.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections.abc import Mapping, MutableMapping
from typing import Any

from moto.awslambda.exceptions import LambdaClientError
from moto.awslambda.models import LambdaFunction, lambda_backends

from orchestrator.sandbox import settings
from orchestrator.sandbox.lambda_host.runner import FunctionSpec, Invocation, invoke

_MARK = "_firefly_runs_handler"
_log = logging.getLogger(__name__)


class InvalidRequestContentException(LambdaClientError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidRequestContentException", message)


def install() -> None:
    if getattr(LambdaFunction.invoke, _MARK, False):
        return
    setattr(_invoke, _MARK, True)
    setattr(LambdaFunction, "invoke", _invoke)  # noqa: B010  # mypy refuses assigning a method


def _invoke(self: LambdaFunction, body: str, request_headers: Any, response_headers: Any) -> bytes:
    kind = _header(request_headers, "X-Amz-Invocation-Type") or "RequestResponse"
    event = _event(body)
    if kind == "DryRun":  # AWS only checks that the caller may invoke
        return b""
    if kind == "Event":
        threading.Thread(target=_run_in_background, args=(self, event), daemon=True).start()
        return b""
    outcome = run_handler(self, event)
    headers: MutableMapping[str, str] = response_headers
    if outcome.failed:
        headers["x-amz-function-error"] = "Unhandled"
    headers["x-amz-log-result"] = base64.b64encode(outcome.log_tail().encode()).decode()
    headers["x-amz-executed-version"] = str(self.version)
    return outcome.payload


def run_handler(function: LambdaFunction, event: object) -> Invocation:
    """Invoke `function` with `event` synchronously and keep its log in CloudWatch Logs."""
    outcome = invoke(function_spec(function), event, settings.endpoint())
    _save_log(function, outcome)
    return outcome


def _run_in_background(function: LambdaFunction, event: object) -> None:
    try:
        run_handler(function, event)
    except Exception:  # nobody waits for an Event invocation: say what went wrong in the log
        _log.exception("asynchronous invocation of %s failed", function.function_name)


def function_spec(function: LambdaFunction) -> FunctionSpec:
    """The function as the runner needs it: moto's model narrowed to plain typed values."""
    variables: Mapping[str, object] = function.environment_vars or {}
    return FunctionSpec(
        name=function.function_name,
        arn=function.function_arn,
        version=str(function.version),
        handler=str(function.handler or ""),
        runtime=str(function.run_time or ""),
        region=function.region,
        timeout=float(function.timeout),
        memory_mb=int(function.memory_size),
        environment={str(k): str(v) for k, v in variables.items()},
        code=getattr(function, "code_bytes", b"") or b"",
        layers=tuple(_layer_zips(function)),
    )


def _layer_zips(function: LambdaFunction) -> list[bytes]:
    backend = lambda_backends[function.account_id][function.region]
    zips = []
    for layer in function.layers:
        version = backend.layers_versions_by_arn(layer["Arn"])
        if version is not None:
            zips.append(version.code_bytes)
    return zips


def _event(body: str | bytes | None) -> object:
    if not body:
        return {}
    try:
        return json.loads(body)
    except ValueError as exc:
        raise InvalidRequestContentException(
            "Could not parse request body into json: Could not parse payload into json"
        ) from exc


def _header(headers: Any, name: str) -> str | None:
    # the server passes werkzeug's case-insensitive headers (not a Mapping); moto's internal
    # callers (stream and queue deliveries) pass plain dicts
    getter = getattr(headers, "get", None)
    value = getter(name) if callable(getter) else None
    if value is None and isinstance(headers, Mapping):
        value = next((v for k, v in headers.items() if str(k).lower() == name.lower()), None)
    return None if value is None else str(value)


def _save_log(function: LambdaFunction, outcome: Invocation) -> None:
    logs = function.logs_backend
    group = function.logs_group_name
    logs.ensure_log_group(group)
    logs.create_log_stream(group, outcome.log_stream)
    now_ms = int(time.time() * 1000)
    events = [{"timestamp": now_ms, "message": line} for line in outcome.log.splitlines()]
    logs.put_log_events(group, outcome.log_stream, events)
