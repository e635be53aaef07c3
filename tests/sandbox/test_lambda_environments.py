"""Warm execution environments: a second invocation of a function version reuses the first's
environment; a code or configuration change, a crash or a timeout gets a fresh one; concurrent
invocations get environments of their own; and no environment outlives its engine."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from orchestrator.sandbox.lambda_host.runner import FunctionSpec, invoke, stop_environments
from orchestrator.sandbox.server import start_server
from tests.sandbox.lambda_support import function, zip_bytes
from tests.sandbox.test_lambda_runner import SPEC
from tests.sandbox_access import session
from tests.waiting import wait_until, written

COUNTS = """
import os, time
CALLS = 0
def handler(event, context):
    global CALLS
    CALLS += 1
    if event.get("crash"):
        os._exit(3)
    if event.get("hang"):
        if event.get("started"):
            open(event["started"], "w").write(str(os.getpid()))
        time.sleep(30)
    return {"calls": CALLS, "pid": os.getpid(), "parent": os.getppid()}
"""
# Each invocation waits until `width` environments have arrived: one environment for both
# would leave the first waiting for the second, which could not start, until the timeout.
MEETS = """
import os, pathlib, time
def handler(event, context):
    folder = pathlib.Path(event["folder"])
    (folder / str(os.getpid())).write_text("here")
    while len(list(folder.iterdir())) < event["width"]:
        time.sleep(0.01)
    return os.getpid()
"""


@pytest.fixture(autouse=True)
def no_environment_left() -> Iterator[None]:
    yield
    stop_environments()


def counted(spec: FunctionSpec, event: object = None) -> dict[str, Any]:
    outcome = invoke(spec, event or {}, None)
    payload: dict[str, Any] = json.loads(outcome.payload)
    return payload


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_second_invocation_is_warm_and_keeps_module_state() -> None:
    spec = replace(SPEC, code=zip_bytes({"app.py": COUNTS}))

    first, second = counted(spec), counted(spec)

    assert (first["calls"], second["calls"]) == (1, 2)
    assert first["pid"] == second["pid"]


def test_a_code_update_retires_the_warm_environment() -> None:
    spec = replace(SPEC, code=zip_bytes({"app.py": COUNTS}))
    old = counted(spec)
    updated = replace(spec, code=zip_bytes({"app.py": COUNTS + "# version 2\n"}))

    fresh = counted(updated)

    assert fresh["calls"] == 1
    wait_until(lambda: not alive(old["pid"]), "the old version's environment to end")


def test_a_configuration_update_is_a_cold_start_too() -> None:
    spec = replace(SPEC, code=zip_bytes({"app.py": COUNTS}))
    counted(spec)

    assert counted(replace(spec, environment={"STAGE": "2"}))["calls"] == 1


def test_a_crashed_environment_is_replaced() -> None:
    spec = replace(SPEC, code=zip_bytes({"app.py": COUNTS}))
    before = counted(spec)

    crash = invoke(spec, {"crash": True}, None)
    after = counted(spec)

    assert crash.failed
    assert json.loads(crash.payload)["errorType"] == "Runtime.ExitError"
    assert after["calls"] == 1 and after["pid"] != before["pid"]


def test_a_timed_out_environment_is_replaced() -> None:
    spec = replace(SPEC, code=zip_bytes({"app.py": COUNTS}), timeout=0.5)
    before = counted(spec)

    timed_out = invoke(spec, {"hang": True}, None)
    after = counted(spec)

    assert json.loads(timed_out.payload)["errorType"] == "Sandbox.Timedout"
    assert after["calls"] == 1 and after["pid"] != before["pid"]


def test_concurrent_invocations_get_environments_of_their_own(tmp_path: Path) -> None:
    spec = replace(SPEC, code=zip_bytes({"app.py": MEETS}), timeout=30)
    pids: list[int] = []

    def one() -> None:
        pids.append(json.loads(invoke(spec, {"folder": str(tmp_path), "width": 2}, None).payload))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(pids)) == 2 and all(isinstance(pid, int) for pid in pids)


def test_stopping_the_engine_stops_its_environments(lambda_role: str) -> None:
    # moto's store is shared by the engines of one process: the session's role serves here too
    server = start_server(port=0)
    try:
        lam = session(server.keys.client).client("lambda", endpoint_url=server.endpoint)
        with function(lambda _: lam, lambda_role, COUNTS) as name:
            answer = json.loads(lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())
        assert alive(answer["pid"])
    finally:
        server.stop()

    wait_until(lambda: not alive(answer["pid"]), "the engine's environment to end")


def test_code_that_brings_its_own_sdk_imports_its_own() -> None:
    source = "import boto3\ndef handler(event, context):\n    return boto3.__file__\n"
    code = zip_bytes({"app.py": source, "boto3/__init__.py": "VERSION = 'bundled'\n"})

    imported = json.loads(invoke(replace(SPEC, code=code), {}, None).payload)

    # the function's unpacked code (the code cache's folder), not the runtime's SDK
    assert "/firefly-lambda-" in imported and imported.endswith("/boto3/__init__.py")


def test_stopping_every_environment_stops_their_template_too() -> None:
    spec = replace(SPEC, code=zip_bytes({"app.py": COUNTS}))
    answer = counted(spec)
    assert answer["parent"] != os.getpid()  # forked from the SDK-loaded template

    stop_environments()

    wait_until(lambda: not alive(answer["parent"]), "the template of the environments to end")


def test_stopping_ends_a_busy_environment_and_its_invocation(tmp_path: Path) -> None:
    spec = replace(SPEC, code=zip_bytes({"app.py": COUNTS}), timeout=60)
    started = tmp_path / "started"
    outcomes = []
    invocation = threading.Thread(
        target=lambda: outcomes.append(invoke(spec, {"hang": 1, "started": str(started)}, None))
    )
    invocation.start()
    pid = int(written(started))

    stop_environments()
    invocation.join()

    assert json.loads(outcomes[0].payload)["errorType"] == "Runtime.ExitError"
    wait_until(lambda: not alive(pid), "the busy environment to end")
