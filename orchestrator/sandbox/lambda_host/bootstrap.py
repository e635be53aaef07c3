"""The Python runtime of one execution environment, run as a script in its own process.

It plays the part of Lambda's `/var/runtime/bootstrap`: it puts the function's code and then its
layers on `sys.path` as `/var/task` and `/opt/python` are, and serves invocations one at a time,
as long as its parent keeps it: each request is a JSON line on stdin; it imports the handler (the
init phase, once: the module stays imported, so module-level state and /tmp persist between
invocations as in a warm Lambda environment), calls it with the event and a context object, and
answers one JSON line on its original stdout. Whatever the handler prints (file descriptors 1
and 2, its child processes' too) goes to the log file the request names. A timeout or a failed
init ends the process after it answers, as Lambda resets the environment then. It uses the
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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any


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


def invoke(request: dict[str, Any], answer: IO[str]) -> dict[str, Any]:
    """{"result": ...} or {"error": {...}}, as the runtime would answer; `"retire": true` when
    this environment must not serve another invocation."""
    try:
        function = load_handler(request["handler"])  # the init phase: no handler timeout yet
    except HandlerError as exc:
        print(f"[ERROR] {exc.payload['errorType']}: {exc.payload['errorMessage']}")
        return {"error": exc.payload, "retire": True}
    context = LambdaContext(request["context"])
    arm_timeout(request, answer)
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


def arm_timeout(request: dict[str, Any], answer: IO[str]) -> None:
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
        reply(answer, {"error": error("Sandbox.Timedout", message), "retire": True})
        os._exit(0)

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def reply(answer: IO[str], outcome: dict[str, Any]) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    answer.write(json.dumps(outcome) + "\n")
    answer.flush()


@contextmanager
def output_to(path: str) -> Iterator[None]:
    """Descriptors 1 and 2 (print, logging, child processes) write to `path` meanwhile."""
    _point_output_at(path)
    try:
        yield
    finally:
        _point_output_at(os.devnull)


def _point_output_at(path: str) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(target, 1)
    os.dup2(target, 2)
    os.close(target)


def protocol_channels() -> tuple[IO[str], IO[str]]:
    """The requests and answers, on private descriptors: a handler that reads stdin or writes
    stdout never meddles with them, and its child processes do not inherit them."""
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    nothing = os.open(os.devnull, os.O_RDWR)
    os.dup2(nothing, 0)
    os.close(nothing)
    _point_output_at(os.devnull)
    return requests, answers


def main() -> int:
    requests, answers = protocol_channels()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    on_path = False
    for line in requests:  # the parent closing stdin (or dying) ends the environment
        request = json.loads(line)
        if not on_path:
            sys.path[:1] = python_path(request)  # replaces this script's own folder
            on_path = True
        with output_to(request["log_path"]):
            outcome = invoke(request, answers)
        reply(answers, outcome)
        if outcome.get("retire"):
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
