"""The detached engine: start, reuse, status and stop, with a pid file and log in a state folder.

Every test uses its own state folder and a free port, and stops what it starts.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestrator.errors import ExitCode
from orchestrator.sandbox import lifecycle, state
from orchestrator.sandbox.errors import PortInUseError, SandboxError, SandboxUsageError
from tests.conftest import free_port
from tests.waiting import wait_until


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "state"
    yield folder
    lifecycle.stop(state_dir=folder)


def dead_pid() -> int:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(finished.stdout)


def test_start_status_reuse_and_stop(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "the-callers-secret")
    port = free_port()

    started = lifecycle.start(port, latency=0.25, state_dir=home)

    assert (started.port, started.endpoint, started.latency) == (
        port,
        f"http://127.0.0.1:{port}",
        0.25,
    )
    assert started.answering and started.log_path == home / "sandbox.log"
    assert json.loads((home / "sandbox.pid").read_text())["pid"] == started.pid
    with urllib.request.urlopen(f"{started.endpoint}/moto-api/", timeout=5) as response:
        assert response.status == 200
    environ = Path(f"/proc/{started.pid}/environ")
    if environ.exists():  # the engine never holds the caller's AWS credentials
        assert b"the-callers-secret" not in environ.read_bytes()

    assert lifecycle.status(state_dir=home) == started
    assert lifecycle.start(port, state_dir=home) == started  # reused, not started twice
    assert lifecycle.ensure_running(port, state_dir=home) == (started, False)
    with pytest.raises(SandboxUsageError, match=f"already runs on port {port}"):
        lifecycle.start(free_port(), state_dir=home)
    with pytest.raises(SandboxUsageError, match="latency"):
        lifecycle.start(port, latency=2, state_dir=home)

    assert lifecycle.stop(state_dir=home) is True
    assert lifecycle.status(state_dir=home) is None
    assert not (home / "sandbox.pid").exists()
    assert lifecycle.stop(state_dir=home) is False
    assert "firefly sandbox stopped" in started.log_path.read_text()
    assert lifecycle.lost_notice(state_dir=home) is None  # a stopped engine is no news


def test_ensure_running_starts_the_engine_and_says_so(home: Path) -> None:
    port = free_port()

    info, started = lifecycle.ensure_running(port, state_dir=home)

    assert started is True
    assert (info.port, info.answering) == (port, True)
    assert lifecycle.ensure_running(port, state_dir=home) == (info, False)


def test_start_soon_returns_at_once_and_ensure_running_takes_its_engine(home: Path) -> None:
    port = free_port()

    lifecycle.start_soon(port, state_dir=home)
    lifecycle.start_soon(port, state_dir=home)  # begun already: not a second engine
    info, started = lifecycle.ensure_running(port, state_dir=home)

    assert started is True
    assert (info.port, info.answering) == (port, True)
    assert lifecycle.status(state_dir=home) == info
    assert lifecycle.ensure_running(port, state_dir=home) == (info, False)


def test_start_soon_hands_its_error_to_ensure_running(home: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        lifecycle.start_soon(port, state_dir=home)
        with pytest.raises(PortInUseError):
            lifecycle.ensure_running(port, state_dir=home)

    assert lifecycle.status(state_dir=home) is None


def test_a_stale_pid_file_is_cleared(home: Path) -> None:
    state.write_record(
        home,
        state.EngineRecord(
            pid=dead_pid(),
            port=free_port(),
            endpoint="http://127.0.0.1:1",
            latency=0.0,
            started_at="2026-01-01T00:00:00+00:00",
        ),
    )

    assert lifecycle.status(state_dir=home) is None
    assert not (home / "sandbox.pid").exists()
    assert lifecycle.stop(state_dir=home) is False


def test_an_engine_that_died_unstopped_is_told_once_before_the_next_one(home: Path) -> None:
    port = free_port()
    first, _ = lifecycle.ensure_running(port, state_dir=home)
    os.kill(first.pid, signal.SIGKILL)
    wait_until(lambda: not state.is_alive(first.pid), "the killed engine to be gone")

    second, started = lifecycle.ensure_running(port, state_dir=home)

    assert started and second.pid != first.pid
    assert lifecycle.lost_notice(state_dir=home) == (
        f"the sandbox that ran at {first.endpoint} (pid {first.pid}, started "
        f"{first.started_at}) stopped without 'firefly sandbox down', and its state went with "
        "it: every stack deployed there is gone"
    )
    assert lifecycle.lost_notice(state_dir=home) is None  # said once


KILLED_AND_FORGOTTEN = """
import os, signal, sys
from pathlib import Path
from orchestrator.sandbox import lifecycle
home = Path(sys.argv[2])
engine = lifecycle.start(int(sys.argv[1]), state_dir=home)
os.kill(engine.pid, signal.SIGKILL)
while lifecycle.status(state_dir=home) is not None:
    pass
lifecycle.stop(state_dir=home)
"""


def test_an_engine_killed_under_its_starter_is_reaped_without_a_warning(tmp_path: Path) -> None:
    # the engine's end is noticed by status(), which reaps it: the process that started it
    # must not keep a handle that warns "subprocess N is still running" when it exits
    script = tmp_path / "killed.py"
    script.write_text(KILLED_AND_FORGOTTEN)
    finished = subprocess.run(
        [sys.executable, "-X", "dev", str(script), str(free_port()), str(tmp_path / "state")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )

    assert finished.returncode == 0, finished.stderr
    assert "ResourceWarning" not in finished.stderr, finished.stderr


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs procfs")
def test_a_pid_reused_by_another_program_is_not_the_engine(home: Path) -> None:
    state.write_record(
        home,
        state.EngineRecord(
            pid=os.getpid(),
            port=free_port(),
            endpoint="http://127.0.0.1:1",
            latency=0.0,
            started_at="2026-01-01T00:00:00+00:00",
        ),
    )

    assert lifecycle.status(state_dir=home) is None
    assert lifecycle.stop(state_dir=home) is False  # and this test process is still alive


def test_a_taken_port_is_one_clear_error(home: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(PortInUseError) as raised:
            lifecycle.start(port, state_dir=home)

    assert raised.value.message.startswith(f"port {port} on 127.0.0.1 is already in use")
    assert lifecycle.status(state_dir=home) is None


@pytest.mark.parametrize(("port", "latency"), [(0, None), (70000, None), (4566, -1.0)])
def test_bad_settings_are_usage_errors(home: Path, port: int, latency: float | None) -> None:
    with pytest.raises(SandboxUsageError) as raised:
        lifecycle.start(port, latency, state_dir=home)

    assert raised.value.exit_code == ExitCode.USAGE


def test_an_engine_that_cannot_start_points_at_its_log(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state, "ENGINE_MODULE", "orchestrator.sandbox.no_such_module")

    with pytest.raises(SandboxError, match=r"exited while starting: .*no_such_module") as raised:
        lifecycle.start(free_port(), state_dir=home)

    assert str(home / "sandbox.log") in raised.value.message


def test_the_state_folder_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIREFLY_STATE_DIR", str(tmp_path))
    assert state.default_state_dir() == tmp_path

    monkeypatch.delenv("FIREFLY_STATE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert state.default_state_dir() == tmp_path / ".firefly" / "sandbox"
