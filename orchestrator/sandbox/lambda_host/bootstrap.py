"""The Python runtime of one invocation, run as a script in its own process.

It plays the part of Lambda's `/var/runtime/bootstrap`: it reads the request (JSON on stdin),
puts the function's code and then its layers on `sys.path` as `/var/task` and `/opt/python` are,
imports the handler, calls it with the event and a context object, and writes the outcome (JSON)
to the file the request names. Whatever the handler prints is the invocation's log. It uses the
standard library only: the handler brings its own imports.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any


class LambdaContext:
    """The `context` argument: the attributes of the AWS Python runtime's context object."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.function_name: str = spec["function_name"]
        self.function_version: str = spec["function_version"]
        self.invoked_function_arn: str = spec["invoked_function_arn"]
        self.memory_limit_in_mb: int = int(spec["memory_limit_in_mb"])
        self.aws_request_id: str = spec["aws_request_id"]
        self.log_group_name: str = spec["log_group_name"]
        self.log_stream_name: str = spec["log_stream_name"]
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + float(spec["timeout_seconds"])

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def error(kind: str, message: str, trace: list[str] | None = None) -> dict[str, Any]:
    return {"errorMessage": message, "errorType": kind, "stackTrace": trace or []}


def python_path(request: dict[str, Any]) -> list[str]:
    """The function's code first, then each layer's Python folders (later layers win)."""
    paths = [request["task_root"]]
    for layer in reversed(request["layer_roots"]):
        paths += [f"{layer}/python/lib/python3.11/site-packages", f"{layer}/python"]
    return paths


def load_handler(handler: str) -> Any:
    module_name, _, function_name = handler.rpartition(".")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except Exception as exc:  # the runtime reports any import failure the same way
        raise HandlerError(
            error("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}")
        ) from exc
    function = getattr(module, function_name, None)
    if not callable(function):
        raise HandlerError(
            error(
                "Runtime.HandlerNotFound",
                f"Handler '{function_name}' missing on module '{module_name}'",
            )
        )
    return function


class HandlerError(Exception):
    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__(payload["errorMessage"])
        self.payload = payload


def invoke(request: dict[str, Any]) -> dict[str, Any]:
    """{"result": ...} or {"error": {...}}, as the runtime would answer."""
    try:
        function = load_handler(request["handler"])  # the init phase: no handler timeout yet
    except HandlerError as exc:
        print(f"[ERROR] {exc.payload['errorType']}: {exc.payload['errorMessage']}")
        return {"error": exc.payload}
    context = LambdaContext(request["context"])
    arm_timeout(request)
    try:
        result = function(request["event"], context)
    except Exception as exc:
        trace = traceback.format_list(traceback.extract_tb(exc.__traceback__)[1:])
        print(
            f"[ERROR] {type(exc).__name__}: {exc}\nTraceback (most recent call last):\n"
            + "".join(trace),
            end="",
        )
        return {"error": error(type(exc).__name__, str(exc), trace)}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        json.dumps(result)
    except (TypeError, ValueError) as exc:
        return {"error": error("Runtime.MarshalError", f"Unable to marshal response: {exc}")}
    return {"result": result}


def arm_timeout(request: dict[str, Any]) -> None:
    """End the process when the function's timeout passes, as Lambda does, whatever the
    handler is doing (a handler's own `except Exception` must not swallow it)."""
    seconds = float(request["context"]["timeout_seconds"])

    def expire(signum: int, frame: object) -> None:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        message = (
            f"{stamp} {request['context']['aws_request_id']} "
            f"Task timed out after {seconds:.2f} seconds"
        )
        print(message)
        finish(request, {"error": error("Sandbox.Timedout", message)})
        os._exit(0)

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def finish(request: dict[str, Any], outcome: dict[str, Any]) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    Path(request["outcome_path"]).write_text(json.dumps(outcome), encoding="utf-8")


def main() -> int:
    request = json.load(sys.stdin)
    sys.path[:1] = python_path(request)  # replaces this script's own folder
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    finish(request, invoke(request))
    return 0


if __name__ == "__main__":
    sys.exit(main())
