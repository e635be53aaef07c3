"""`python -m orchestrator.sandbox`: the engine in the foreground until SIGTERM."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, free_port


def test_runs_until_sigterm_and_keeps_its_pid_file_meanwhile(tmp_path: Path) -> None:
    port = free_port()
    engine = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "orchestrator.sandbox",
            "--port",
            str(port),
            "--state-dir",
            str(tmp_path),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert engine.stdout is not None
        assert engine.stdout.readline().startswith(
            f"firefly sandbox listening on http://127.0.0.1:{port}"
        )
        assert (tmp_path / "sandbox.pid").exists()
        engine.send_signal(signal.SIGTERM)
        assert engine.wait(timeout=15) == 0
    finally:
        if engine.poll() is None:
            engine.kill()
            engine.wait()
        if engine.stdout is not None:
            engine.stdout.close()
    assert not (tmp_path / "sandbox.pid").exists()


def test_a_taken_port_exits_with_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        finished = subprocess.run(
            [sys.executable, "-m", "orchestrator.sandbox", "--port", str(port)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert finished.returncode == 1
    assert finished.stderr.strip().splitlines() == [
        f"firefly sandbox: port {port} on 127.0.0.1 is already in use by another program; "
        "stop it or choose another port: set FIREFLY_SANDBOX_PORT (or --port)"
    ]
