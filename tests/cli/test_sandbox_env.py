"""`firefly sandbox env`: the export lines that let any AWS client talk to the sandbox, with the
key pair it requires (issue 16)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from orchestrator.errors import ExitCode
from orchestrator.sandbox import state
from orchestrator.sandbox.lifecycle import SandboxInfo
from tests.conftest import REPO, CliResult

Firefly = Callable[..., CliResult]
# a client that knows nothing but what the environment says
BOTO3_CLIENT = (
    "import boto3, json; s3 = boto3.client('s3'); s3.create_bucket(Bucket='from-env'); "
    "print(json.dumps([b['Name'] for b in s3.list_buckets()['Buckets']]))"
)


def shell_with_sandbox_env(engine: SandboxInfo, then: str) -> subprocess.CompletedProcess[str]:
    """bash that evals `firefly sandbox env`, then runs `then`; no AWS_* variable of ours."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment.update(
        FIREFLY_STATE_DIR=str(engine.state_dir),
        PYTHONPATH=str(REPO),
        AWS_ACCESS_KEY_ID="AKIATHECALLERSOWNKEY",  # what the export lines must replace
        AWS_PROFILE="production",
    )
    firefly = f"{sys.executable} -m orchestrator sandbox env"
    script = f'set -e; eval "$({firefly})"; {then}'
    return subprocess.run(
        ["bash", "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )


def test_the_printed_lines_let_a_plain_boto3_client_work(sandbox_engine: SandboxInfo) -> None:
    done = shell_with_sandbox_env(sandbox_engine, f'{sys.executable} -c "{BOTO3_CLIENT}"')

    assert done.returncode == 0, done.stderr
    assert "from-env" in json.loads(done.stdout.splitlines()[-1])


def aws_cli() -> str:
    """The AWS CLI of the test extra (beside this interpreter), else the one on PATH."""
    beside = Path(sys.executable).with_name("aws")
    found = str(beside) if beside.exists() else shutil.which("aws")
    assert found, "the AWS CLI is missing: install the test extra (pip install -e '.[test]')"
    return found


def test_the_printed_lines_let_the_aws_cli_work(sandbox_engine: SandboxInfo) -> None:
    done = shell_with_sandbox_env(
        sandbox_engine, f"{aws_cli()} sts get-caller-identity --output json"
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["Account"]


def test_it_prints_the_endpoint_region_and_pair(
    sandbox_engine: SandboxInfo, firefly: Firefly, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIREFLY_STATE_DIR", str(sandbox_engine.state_dir))
    keys = state.read_keys(sandbox_engine.state_dir)
    assert keys is not None

    result = firefly("sandbox", "env", "--region", "eu-west-1")

    assert result.code == 0, result.err
    assert result.out.splitlines()[1:] == [
        f"export AWS_ENDPOINT_URL={sandbox_engine.endpoint}",
        "export AWS_DEFAULT_REGION=eu-west-1",
        "export AWS_REGION=eu-west-1",
        f"export AWS_ACCESS_KEY_ID={keys.client.access_key_id}",
        f"export AWS_SECRET_ACCESS_KEY={keys.client.secret_access_key}",
    ]


def test_without_a_running_sandbox_it_is_one_line(
    firefly: Firefly, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FIREFLY_STATE_DIR", str(tmp_path))

    result = firefly("sandbox", "env")

    assert (result.code, result.out) == (ExitCode.WORKFLOW_FAILED, "")
    assert result.err.strip().splitlines() == [
        "error: the sandbox is not running; start it with 'firefly sandbox up'"
    ]


@pytest.mark.parametrize("command", ["env", "status"])
def test_a_pid_file_naming_another_machine_is_refused(
    firefly: Firefly, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str
) -> None:
    record = state.EngineRecord(os.getpid(), 4566, "http://10.0.0.5:4566", 0.0, "now")
    state.write_record(tmp_path, record)
    monkeypatch.setenv("FIREFLY_STATE_DIR", str(tmp_path))

    result = firefly("sandbox", command)

    assert result.code == ExitCode.WORKFLOW_FAILED
    assert result.err.strip().splitlines() == [
        f"error: the sandbox's pid file {tmp_path / 'sandbox.pid'} names "
        "'http://10.0.0.5:4566', not an address of this machine: something other than firefly "
        "wrote it; check who can write to that folder, then remove the file"
    ]
