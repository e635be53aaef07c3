"""How a test reaches a sandbox engine: with the key pair the engine generated, never another."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3

from orchestrator.sandbox import state
from orchestrator.sandbox.guard.middleware import CONTROL_KEY_HEADER

if TYPE_CHECKING:
    import pytest

    from orchestrator.sandbox.guard.keys import EngineKeys, KeyPair
    from orchestrator.sandbox.lifecycle import SandboxInfo

REGION = "us-east-1"


def session(keys: KeyPair, region: str = REGION) -> boto3.Session:
    """A boto3 session signing with `keys` (an engine's `.keys.client`, `.credentials`)."""
    return boto3.session.Session(
        aws_access_key_id=keys.access_key_id,
        aws_secret_access_key=keys.secret_access_key,
        aws_session_token=keys.session_token,
        region_name=region,
    )


def control_request(endpoint: str, path: str, keys: KeyPair) -> Any:
    """A request for the engine's own endpoints (`/_firefly/faults`), with the client key."""
    import urllib.request

    return urllib.request.Request(
        f"{endpoint}{path}", headers={CONTROL_KEY_HEADER: keys.access_key_id}
    )


def publish(keys: EngineKeys, folder: Path) -> Path:
    """Write an in-process engine's keys where firefly reads them ($FIREFLY_STATE_DIR)."""
    state.write_keys(folder, keys)
    return folder


def engine_variables(endpoint: str, state_dir: Path) -> dict[str, str]:
    """What points a firefly process at an engine it did not start."""
    return {"FIREFLY_SANDBOX_ENDPOINT": endpoint, "FIREFLY_STATE_DIR": str(state_dir)}


def use_engine(monkeypatch: pytest.MonkeyPatch, info: SandboxInfo) -> None:
    """Point firefly commands of this test at `info`, the engine of `engine_process`."""
    for name, value in engine_variables(info.endpoint, info.state_dir).items():
        monkeypatch.setenv(name, value)
