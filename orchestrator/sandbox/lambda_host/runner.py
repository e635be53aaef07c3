"""One invocation of a Python handler, in a warm execution environment on the host when one of
the function version is free (`pool.py`), else in a new one."""

from __future__ import annotations

import atexit
import json
import os
import tempfile
import time
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from orchestrator.sandbox import settings
from orchestrator.sandbox.lambda_host.code_cache import CodeCache
from orchestrator.sandbox.lambda_host.forkserver import ForkServer, forkable
from orchestrator.sandbox.lambda_host.pool import WorkerPool
from orchestrator.sandbox.lambda_host.worker import Answer, Channel, Worker, spawn

# Lambda gives a function's init phase its own 10 s; the environment's imports count as init
INIT_SECONDS = 10.0
LOG_TAIL_BYTES = 4096
_cache = CodeCache()
_pool = WorkerPool()
_template = ForkServer()


@dataclass(frozen=True)
class FunctionSpec:
    """What running a function needs, copied out of the engine's store."""

    name: str
    arn: str
    version: str
    handler: str
    runtime: str
    region: str
    timeout: float
    memory_mb: int
    environment: Mapping[str, str]
    code: bytes
    layers: tuple[bytes, ...]


@dataclass(frozen=True)
class Invocation:
    """The outcome: the response payload, whether it is an error payload, and the log."""

    request_id: str
    payload: bytes
    failed: bool
    log: str
    log_stream: str

    def log_tail(self) -> str:
        """The last 4 KB of the log, what `LogType=Tail` returns."""
        return self.log.encode()[-LOG_TAIL_BYTES:].decode(errors="ignore")


def invoke(function: FunctionSpec, event: object, endpoint: str | None) -> Invocation:
    """Run the handler with `event` and return what Lambda would."""
    request_id = str(uuid.uuid4())
    stream = _log_stream(function.version)
    started = time.monotonic()
    output, outcome = _refusal(function)
    if not outcome:
        with tempfile.TemporaryDirectory(prefix="firefly-invoke-") as scratch:
            log_path = Path(scratch) / "output.log"
            request = _request(function, event, request_id, stream, log_path)
            answer = _run(function, request, endpoint)
            output = log_path.read_text(encoding="utf-8", errors="replace")
            outcome = _outcome(answer, function.timeout)
    elapsed_ms = (time.monotonic() - started) * 1000
    failed = "error" in outcome
    body = outcome["error"] if failed else outcome.get("result")
    log = _framed_log(request_id, function, output, elapsed_ms)
    return Invocation(request_id, json.dumps(body).encode(), failed, log, stream)


def prepare_environments() -> None:
    """Get ready for the first cold start while the engine does other work."""
    _template.prepare()


def stop_environments(endpoint: str | None = None) -> None:
    """Stop the warm environments whose SDK calls reach `endpoint`; None: every environment,
    and the template they are forked from."""
    _pool.stop(endpoint)
    if endpoint is None:
        _template.stop()


atexit.register(stop_environments)  # no environment outlives the engine's process


def _refusal(function: FunctionSpec) -> tuple[str, dict[str, object]]:
    """The log line and error outcome of a function the host cannot run; no outcome if it can."""
    if not function.runtime.startswith("python"):
        message = f"the firefly sandbox runs Python handlers only, not {function.runtime!r}"
        kind = "Runtime.InvalidRuntime"
    else:
        try:
            _cache.task_root(function.code)
            _cache.layer_root(function.layers)
            return "", {}
        except zipfile.BadZipFile as exc:  # moto stores whatever bytes it was given
            message, kind = (
                f"the function's code or a layer is not a zip file: {exc}",
                "Runtime.InvalidEntrypoint",
            )
    return f"[ERROR] {kind}: {message}\n", {"error": {"errorMessage": message, "errorType": kind}}


def _log_stream(version: str) -> str:
    today = datetime.now(UTC)
    return f"{today:%Y/%m/%d}/[{version}]{uuid.uuid4().hex}"


def _request(
    function: FunctionSpec, event: object, request_id: str, stream: str, log_path: Path
) -> dict[str, object]:
    return {
        "handler": function.handler,
        "task_root": str(_cache.task_root(function.code)),
        "layer_roots": [str(_cache.layer_root(function.layers))] if function.layers else [],
        "event": event,
        "log_path": str(log_path),
        "context": {
            "function_name": function.name,
            "function_version": function.version,
            "invoked_function_arn": function.arn,
            "memory_limit_in_mb": function.memory_mb,
            "aws_request_id": request_id,
            "log_group_name": f"/aws/lambda/{function.name}",
            "log_stream_name": stream,
            "timeout_seconds": function.timeout,
        },
    }


def _environment(function: FunctionSpec, endpoint: str | None, task_root: str) -> dict[str, str]:
    """The handler's environment: Lambda's variables, the engine's handler key pair (temporary
    credentials, as Lambda hands out the execution role's; the engine recognises its own work by
    them), the engine's endpoint, and the function's own variables; nothing of the engine's own
    environment but PATH."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PYTHONUNBUFFERED": "1",
        "LAMBDA_TASK_ROOT": task_root,
        "_HANDLER": function.handler,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_VERSION": function.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
        "AWS_REGION": function.region,
        "AWS_DEFAULT_REGION": function.region,
        # the caller's ~/.aws must not leak into a sandbox function
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint  # every SDK client of the handler reaches this engine
    env.update(function.environment)
    # the credentials are reserved variables a function cannot set, as on Lambda
    # (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime)
    return {**env, **settings.handler_keys(endpoint).environment()}


def _run(function: FunctionSpec, request: dict[str, object], endpoint: str | None) -> Answer:
    """The answer of a warm environment of this version, or of a new one."""
    task_root = str(request["task_root"])
    environment = _environment(function, endpoint, task_root)
    # the version's code (content-addressed folders) and configuration: a change is a new key
    key = json.dumps(
        [function.handler, function.runtime, request["layer_roots"], environment, function.timeout],
        sort_keys=True,
    )
    worker = _pool.acquire(
        f"{endpoint} {function.arn}:{function.version}",
        key,
        lambda: Worker(key, endpoint, _started(task_root, request["layer_roots"], environment)),
    )
    answer = worker.call(request, function.timeout + INIT_SECONDS)
    _pool.release(worker, answer.reusable)
    return answer


def _started(task_root: str, layer_roots: object, environment: dict[str, str]) -> Channel:
    """A new environment: forked from the SDK-loaded template when it can be, else spawned."""
    roots = [task_root, *(layer_roots if isinstance(layer_roots, list) else [])]
    channel = _template.fork(task_root, environment) if forkable(environment, roots) else None
    return channel or spawn(task_root, environment)


def _outcome(answer: Answer, timeout: float) -> dict[str, object]:
    if answer.timed_out:  # the backstop: the environment itself did not end the handler
        return {
            "error": {
                "errorMessage": f"Task timed out after {timeout:.2f} seconds",
                "errorType": "Sandbox.Timedout",
            }
        }
    if answer.outcome is None:  # the process died before it could answer (exit, crash)
        return {
            "error": {
                "errorMessage": "Runtime exited without providing a reason",
                "errorType": "Runtime.ExitError",
            }
        }
    return {k: v for k, v in answer.outcome.items() if k != "retire"}


def _framed_log(request_id: str, function: FunctionSpec, output: str, elapsed_ms: float) -> str:
    body = output if output.endswith("\n") or not output else output + "\n"
    return (
        f"START RequestId: {request_id} Version: {function.version}\n{body}"
        f"END RequestId: {request_id}\n"
        f"REPORT RequestId: {request_id}\tDuration: {elapsed_ms:.2f} ms\t"
        f"Billed Duration: {int(elapsed_ms) + 1} ms\tMemory Size: {function.memory_mb} MB\n"
    )
