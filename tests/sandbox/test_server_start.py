"""The engine's server: loopback only, a clear error for a taken port, settings recorded."""

from __future__ import annotations

import socket
import subprocess
import sys
import urllib.request
from typing import Any

import pytest

from orchestrator.errors import ExitCode
from orchestrator.sandbox import settings
from orchestrator.sandbox.errors import PortInUseError, SandboxUsageError
from orchestrator.sandbox.server import RunningServer, start_server
from tests.conftest import REPO


def test_the_session_engine_answers_on_the_loopback(sandbox: RunningServer) -> None:
    with urllib.request.urlopen(f"{sandbox.endpoint}/moto-api/", timeout=5) as response:
        status = response.status

    assert (sandbox.host, status) == ("127.0.0.1", 200)
    assert sandbox.endpoint == f"http://127.0.0.1:{sandbox.port}"


def test_any_free_port_and_a_clean_stop(sandbox: RunningServer) -> None:
    server = start_server(port=0)
    try:
        assert server.port not in (0, sandbox.port)
        assert settings.endpoint() == server.endpoint
    finally:
        server.stop()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", server.port)) != 0
    # handlers go back to the engine that still runs
    assert settings.endpoint() == sandbox.endpoint


def test_a_taken_port_is_one_clear_error(sandbox: RunningServer) -> None:
    with pytest.raises(PortInUseError) as raised:
        start_server(port=sandbox.port)

    assert f"port {sandbox.port}" in raised.value.message
    assert "\n" not in raised.value.message


def test_never_listens_beyond_the_loopback() -> None:
    with pytest.raises(SandboxUsageError) as raised:
        start_server(host="0.0.0.0")

    assert raised.value.exit_code == ExitCode.USAGE


def test_a_negative_latency_is_refused() -> None:
    with pytest.raises(SandboxUsageError, match="latency"):
        start_server(latency=-1)


def test_records_its_endpoint_for_the_fixes(sandbox: RunningServer, aws: Any) -> None:
    assert settings.endpoint() == sandbox.endpoint
    assert aws("sts").get_caller_identity()["Account"]


WARMED = """
import sys
from orchestrator.sandbox.server import start_server
from tests.waiting import wait_until

assert "samtranslator.translator.translator" not in sys.modules
server = start_server(port=0)
try:
    wait_until(lambda: "samtranslator.translator.translator" in sys.modules, "the warm-up")
finally:
    server.stop()
"""


def test_the_sam_translator_is_imported_once_the_engine_listens() -> None:
    """Its import (the first SAM template's half second otherwise) overlaps what the caller does
    while the engine waits for its first requests."""
    done = subprocess.run(
        [sys.executable, "-c", WARMED], cwd=REPO, capture_output=True, text=True, check=False
    )

    assert done.returncode == 0, done.stderr[-2000:]
