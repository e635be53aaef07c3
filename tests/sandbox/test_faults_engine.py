"""A detached engine started with faults: it records and shows them, refuses to be reused with
others, lets a retrying client through, never faults its hosted handlers' calls; and a bad
setting is one usage line wherever it is given."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestrator.aws.retries import EndpointWatch, RetryPolicy
from orchestrator.aws.session import client_for
from orchestrator.errors import ExitCode
from orchestrator.sandbox import lifecycle
from orchestrator.sandbox.errors import SandboxUsageError
from orchestrator.sandbox.lifecycle import SandboxInfo
from tests.conftest import CliResult, engine_process, free_port
from tests.sandbox.cfn_support import LAMBDA_TRUST
from tests.sandbox.lambda_support import zip_bytes
from tests.sandbox_access import control_request, session

FAULTS = "throttle=0.3,error=0.05,seed=7"
BAD = (
    "error: invalid sandbox faults 'nonsense' (--faults or FIREFLY_SANDBOX_FAULTS): "
    "'nonsense' is not key=value; write them as throttle=F,error=F,seed=N, "
    "e.g. throttle=0.3,error=0.05,seed=7"
)
# a handler whose every S3 call would fail at the first fault: its client never retries
CALLS_S3_WITHOUT_RETRIES = """
import boto3
from botocore.config import Config
def handler(event, context):
    s3 = boto3.client("s3", config=Config(retries={"total_max_attempts": 1}))
    return sum(1 for _ in range(event["calls"]) if "Buckets" in s3.list_buckets())
"""


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("faulty-state")


@pytest.fixture(scope="module")
def engine(state: Path) -> Iterator[SandboxInfo]:
    with engine_process(state, faults=FAULTS) as info:
        yield info


@pytest.fixture(autouse=True)
def no_faults_from_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIREFLY_SANDBOX_FAULTS", raising=False)


def retrying(engine: SandboxInfo) -> Callable[[str], Any]:
    """Clients that retry as firefly's own do (aws/retries.py)."""
    assert engine.credentials is not None
    signing = session(engine.credentials)
    policy = RetryPolicy(EndpointWatch("the test engine stopped answering", 2.0))
    return functools.cache(
        lambda service: client_for(signing, service, engine.endpoint, policy, None)
    )


def counts(engine: SandboxInfo) -> dict[str, Any]:
    assert engine.credentials is not None
    request = control_request(engine.endpoint, "/_firefly/faults", engine.credentials)
    with urllib.request.urlopen(request, timeout=10) as answer:
        loaded: dict[str, Any] = json.loads(answer.read())
    return loaded


def faulted_since(before: dict[str, Any], after: dict[str, Any]) -> tuple[int, int]:
    """(eligible calls, of which faulted) between two counts."""
    faulted = after["throttled"] + after["failed"] - before["throttled"] - before["failed"]
    return after["eligible"] - before["eligible"], faulted


def test_the_engine_records_its_faults(engine: SandboxInfo, state: Path) -> None:
    assert engine.faults == FAULTS
    assert json.loads((state / "sandbox.pid").read_text())["faults"] == FAULTS
    assert counts(engine)["faults"] == FAULTS
    assert lifecycle.status(state_dir=state) == engine


def test_reusing_it_with_other_faults_is_refused(
    engine: SandboxInfo, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert lifecycle.start(engine.port, faults=FAULTS, state_dir=state) == engine
    assert lifecycle.start(engine.port, state_dir=state) == engine  # no wish: whatever runs
    with pytest.raises(SandboxUsageError) as raised:
        lifecycle.start(engine.port, faults="throttle=0.5", state_dir=state)
    assert raised.value.message == (
        f"the sandbox already runs with faults {FAULTS}, not throttle=0.5,error=0,seed=0; "
        "stop it first (firefly sandbox down)"
    )
    with pytest.raises(SandboxUsageError, match="already runs with faults"):
        lifecycle.start(engine.port, faults="", state_dir=state)

    monkeypatch.setenv("FIREFLY_SANDBOX_FAULTS", "error=1")  # what --env local honours
    with pytest.raises(SandboxUsageError, match="already runs with faults"):
        lifecycle.ensure_running(engine.port, state_dir=state)
    monkeypatch.setenv("FIREFLY_SANDBOX_FAULTS", FAULTS)
    assert lifecycle.ensure_running(engine.port, state_dir=state) == (engine, False)


def test_a_retrying_client_gets_through(engine: SandboxInfo) -> None:
    aws, before = retrying(engine), counts(engine)

    aws("s3").create_bucket(Bucket="through")
    for n in range(4):
        aws("s3").put_object(Bucket="through", Key=f"k{n}", Body=b"x")
        aws("cloudformation").describe_stacks()
        aws("sts").get_caller_identity()
        aws("lambda").list_functions()
    keys = aws("s3").list_objects_v2(Bucket="through")["KeyCount"]

    after = counts(engine)
    eligible, faulted = faulted_since(before, after)
    assert keys == 4
    # the seed throttles some of these calls and fails others, or the test would mean nothing
    assert after["throttled"] > before["throttled"] and after["failed"] > before["failed"]
    assert eligible == 18 + faulted  # every faulted call was retried, and got through


def test_a_hosted_handler_s_calls_are_never_faulted(engine: SandboxInfo) -> None:
    aws = retrying(engine)
    role = aws("iam").create_role(
        RoleName="faults", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
    )
    aws("lambda").create_function(
        FunctionName="calls-s3",
        Runtime="python3.11",
        Role=role["Role"]["Arn"],
        Handler="app.handler",
        Code={"ZipFile": zip_bytes({"app.py": CALLS_S3_WITHOUT_RETRIES})},
    )
    before = counts(engine)

    response = aws("lambda").invoke(FunctionName="calls-s3", Payload=json.dumps({"calls": 20}))

    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == 20
    eligible, faulted = faulted_since(before, counts(engine))
    assert eligible == 1 + faulted  # the invoke's attempts only, none of the handler's calls


def test_the_cli_shows_the_faults_and_refuses_others(
    engine: SandboxInfo,
    state: Path,
    firefly: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FIREFLY_STATE_DIR", str(state))
    port = str(engine.port)

    up = firefly("sandbox", "up", "--port", port, "--faults", FAULTS)
    status = firefly("sandbox", "status")
    other = firefly("sandbox", "up", "--port", port, "--faults", "error=0.5")

    assert (up.code, status.code) == (0, 0), up.err + status.err
    assert f"faults {FAULTS}," in up.out and f"faults {FAULTS}," in status.out
    assert other.code == ExitCode.USAGE
    assert other.err.strip().splitlines() == [
        f"error: the sandbox already runs with faults {FAULTS}, not "
        "throttle=0,error=0.5,seed=0; stop it first (firefly sandbox down)"
    ]


@pytest.mark.parametrize("given", ["option", "environment"])
def test_sandbox_up_with_bad_faults_is_one_usage_line(
    given: str, firefly: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FIREFLY_STATE_DIR", str(tmp_path))
    argv = ["sandbox", "up", "--port", str(free_port())]
    if given == "option":
        argv += ["--faults", "nonsense"]
    else:
        monkeypatch.setenv("FIREFLY_SANDBOX_FAULTS", "nonsense")

    result = firefly(*argv)

    assert result.code == ExitCode.USAGE
    assert result.err.strip().splitlines() == [BAD]
    assert not (tmp_path / "sandbox.pid").exists()


def test_ensure_running_refuses_bad_faults_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FIREFLY_SANDBOX_FAULTS", "throttle=2")

    with pytest.raises(SandboxUsageError, match="throttle must be a fraction in"):
        lifecycle.ensure_running(free_port(), state_dir=tmp_path)

    assert lifecycle.status(state_dir=tmp_path) is None


def test_the_engine_module_refuses_bad_faults() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "orchestrator.sandbox", "--port", str(free_port())],
        env={**os.environ, "FIREFLY_SANDBOX_FAULTS": "nonsense"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == ExitCode.USAGE
    assert done.stderr.strip().splitlines() == ["firefly sandbox: " + BAD.removeprefix("error: ")]
