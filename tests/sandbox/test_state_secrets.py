"""The state folder keeps the engine's keys to its owner, and the log holds no secret (issue 16)."""

from __future__ import annotations

import stat
import urllib.request
from pathlib import Path

from orchestrator.sandbox import state
from orchestrator.sandbox.lifecycle import SandboxInfo
from tests.sandbox_access import session
from tests.waiting import wait_until


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_state_folder_and_its_files_are_the_owner_s_only(sandbox_engine: SandboxInfo) -> None:
    folder = sandbox_engine.state_dir
    files = [state.keys_path(folder), state.pid_path(folder), state.log_path(folder)]

    assert mode(folder) == 0o700
    assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}


def test_the_keys_are_generated_and_are_what_firefly_signs_with(
    sandbox_engine: SandboxInfo,
) -> None:
    keys = state.read_keys(sandbox_engine.state_dir)

    assert keys is not None and sandbox_engine.credentials == keys.client
    assert keys.client.access_key_id.startswith("AKIA") and len(keys.client.access_key_id) == 20
    assert keys.handler.access_key_id.startswith("ASIA") and keys.handler.session_token


def test_the_log_holds_neither_key_nor_presigned_credentials(sandbox_engine: SandboxInfo) -> None:
    keys = state.read_keys(sandbox_engine.state_dir)
    assert keys is not None
    s3 = session(keys.client).client("s3", endpoint_url=sandbox_engine.endpoint)
    s3.create_bucket(Bucket="logged")
    s3.put_object(Bucket="logged", Key="presigned-object", Body=b"x")
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": "logged", "Key": "presigned-object"}
    )
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.read() == b"x"
    log = state.log_path(sandbox_engine.state_dir)

    wait_until(lambda: "/logged/presigned-object" in log.read_text(), "the request's log line")
    text = log.read_text()
    assert keys.client.access_key_id not in text and keys.client.secret_access_key not in text
    assert "X-Amz-Signature" not in text and keys.handler.secret_access_key not in text
