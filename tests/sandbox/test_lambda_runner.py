"""The host runner of one invocation, without an engine: the runtime's errors, its timeout,
the environment a handler sees, and how code and layers are unpacked."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from orchestrator.sandbox.lambda_host.code_cache import CodeCache
from orchestrator.sandbox.lambda_host.runner import FunctionSpec, Invocation, invoke
from tests.sandbox.lambda_support import zip_bytes

SPEC = FunctionSpec(
    name="fn",
    arn="arn:aws:lambda:us-east-1:123456789012:function:fn",
    version="$LATEST",
    handler="app.handler",
    runtime="python3.11",
    region="eu-west-1",
    timeout=10,
    memory_mb=128,
    environment={},
    code=b"",
    layers=(),
)


def run(source: str, event: object = None, **changes: object) -> tuple[Invocation, object]:
    spec = replace(SPEC, code=zip_bytes({"app.py": source}), **changes)
    outcome = invoke(spec, event or {}, "http://127.0.0.1:9")
    return outcome, json.loads(outcome.payload)


def test_a_result_comes_back_as_json() -> None:
    outcome, payload = run("def handler(event, context):\n    return event['x'] * 2\n", {"x": 21})

    assert (outcome.failed, payload) == (False, 42)


def test_a_handler_without_return_answers_null() -> None:
    outcome, payload = run("def handler(event, context):\n    pass\n")

    assert (outcome.failed, outcome.payload, payload) == (False, b"null", None)


def test_a_module_that_cannot_import_is_an_import_module_error() -> None:
    outcome, payload = run("import no_such_library\ndef handler(event, context):\n    pass\n")

    assert outcome.failed
    assert isinstance(payload, dict) and payload["errorType"] == "Runtime.ImportModuleError"
    assert "Unable to import module 'app'" in payload["errorMessage"]


def test_a_missing_handler_function_is_handler_not_found() -> None:
    outcome, payload = run("def other(event, context):\n    pass\n")

    assert outcome.failed
    assert isinstance(payload, dict) and payload["errorType"] == "Runtime.HandlerNotFound"


def test_a_result_that_is_not_json_is_a_marshal_error() -> None:
    outcome, payload = run("def handler(event, context):\n    return object()\n")

    assert outcome.failed
    assert isinstance(payload, dict) and payload["errorType"] == "Runtime.MarshalError"


def test_the_timeout_ends_the_handler_even_when_it_catches_everything() -> None:
    source = (
        "import time\ndef handler(event, context):\n    try:\n        time.sleep(30)\n"
        "    except BaseException:\n        return 'caught'\n"
    )
    outcome, payload = run(source, timeout=0.5)

    assert outcome.failed
    assert isinstance(payload, dict) and payload["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 0.50 seconds" in payload["errorMessage"]
    # Printed by the handler's own process as its timeout ended it: the runner's backstop
    # (killing the process INIT_SECONDS later) reports the same error but prints nothing, and a
    # handler that swallowed the timeout would have answered "caught".
    assert "Task timed out after 0.50 seconds" in outcome.log


def test_the_handler_sees_the_engine_s_handler_keys_and_never_the_callers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "the-callers-secret")
    monkeypatch.setenv("AWS_PROFILE", "production")
    source = "import os\ndef handler(event, context):\n    return dict(os.environ)\n"
    _, env = run(source, environment={"AWS_PROFILE_NOTE": "mine", "TZ": "overridden"})

    assert isinstance(env, dict)
    # no engine of this process answers at its endpoint: a pair no engine accepts
    assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA") and env["AWS_SESSION_TOKEN"]
    assert env["AWS_SECRET_ACCESS_KEY"] != "the-callers-secret" and "AWS_PROFILE" not in env
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9"
    assert (env["AWS_REGION"], env["AWS_LAMBDA_FUNCTION_NAME"]) == ("eu-west-1", "fn")
    assert (env["AWS_PROFILE_NOTE"], env["TZ"]) == ("mine", "overridden")


def test_the_log_tail_is_the_last_4_kb() -> None:
    outcome, _ = run("def handler(event, context):\n    print('x' * 10000)\n")

    assert len(outcome.log) > 10000
    assert len(outcome.log_tail().encode()) <= 4096
    assert outcome.log_tail().rstrip().splitlines()[-1].startswith("REPORT RequestId: ")


def test_a_zip_cannot_write_outside_its_folder(tmp_path: Path) -> None:
    evil = zip_bytes({"../escaped.py": "x = 1\n", "ok.py": "y = 2\n"})
    root = CodeCache().task_root(evil)

    assert (root / "ok.py").exists()
    assert not (root.parent / "escaped.py").exists()


def test_the_same_code_is_unpacked_once() -> None:
    cache, code = CodeCache(), zip_bytes({"app.py": "x = 1\n"})

    assert cache.task_root(code) == cache.task_root(code)
    assert cache.layer_root([code]) != cache.task_root(code)


def test_a_runtime_other_than_python_is_refused_with_a_clear_error() -> None:
    outcome, payload = run("", runtime="nodejs20.x")

    assert outcome.failed
    assert isinstance(payload, dict) and payload["errorType"] == "Runtime.InvalidRuntime"
    assert "Python handlers only" in payload["errorMessage"]


def test_code_that_is_not_a_zip_is_an_error_payload_not_a_crash() -> None:
    outcome = invoke(replace(SPEC, code=b"not a zip"), {}, None)

    assert outcome.failed
    assert json.loads(outcome.payload)["errorType"] == "Runtime.InvalidEntrypoint"
