"""Start, find and stop the detached sandbox engine (what `firefly sandbox up|status|down` do).

The engine is a `python -m orchestrator.sandbox` process in its own session; its pid file, key
pairs and log live in the state folder (`$FIREFLY_STATE_DIR`, else `~/.firefly/sandbox`).
"""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from orchestrator.sandbox import state
from orchestrator.sandbox.errors import (
    PORT_ENV,
    PortInUseError,
    SandboxError,
    SandboxUsageError,
)
from orchestrator.sandbox.faults.spec import FAULTS_ENV, FaultSpec, parse_faults
from orchestrator.sandbox.guard.hosts import is_loopback_url
from orchestrator.sandbox.guard.keys import KeyPair
from orchestrator.sandbox.settings import parse_latency

DEFAULT_PORT = 4566
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
POLL = 0.1
# the engine never uses the caller's AWS identity; do not hand it to the process at all
_CALLER_CREDENTIALS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SECURITY_TOKEN",
)
# engines this process started, kept so that they are reaped (and never warned about) on stop
_children: dict[int, subprocess.Popen[bytes]] = {}
# `ensure_running` calls begun by `start_soon`, by port and state folder, until taken
_soon: dict[tuple[int, Path], Future[tuple[SandboxInfo, bool]]] = {}


@dataclass(frozen=True)
class SandboxInfo:
    """A running sandbox engine."""

    pid: int
    port: int
    endpoint: str  # http://127.0.0.1:{port}
    latency: float  # seconds each stack operation stays *_IN_PROGRESS (0: none)
    started_at: str  # ISO 8601, UTC
    log_path: Path
    answering: bool  # False: the process runs but its server did not answer just now
    faults: str = ""  # the injected faults, `throttle=F,error=F,seed=N`; empty: none
    credentials: KeyPair | None = None  # the key pair clients sign with; None: not readable

    @property
    def state_dir(self) -> Path:
        return self.log_path.parent


def status(*, state_dir: Path | None = None) -> SandboxInfo | None:
    """The running engine, or None (a stale pid file is removed).

    Raises:
        SandboxError: the pid file names an endpoint that is not on this machine.
    """
    folder = state_dir or state.default_state_dir()
    record = state.read_record(folder)
    if record is None:
        return None
    if not is_loopback_url(record.endpoint):  # firefly would send the sandbox's keys there
        raise SandboxError(
            f"the sandbox's pid file {state.pid_path(folder)} names {record.endpoint!r}, not an "
            "address of this machine: something other than firefly wrote it; check who can "
            "write to that folder, then remove the file"
        )
    if not state.is_engine(record.pid):
        _reap_ended(record.pid)
        state.record_lost(folder, record)  # its pid file outlived it: it was never stopped
        return None
    return _info(folder, record)


def client_keys(info: SandboxInfo) -> KeyPair:
    """The key pair clients of the running engine sign with.

    Raises:
        SandboxError: its state folder holds none (removed by hand, or written by another user).
    """
    if info.credentials is None:
        raise SandboxError(
            f"the sandbox at {info.endpoint} left no readable key pair in {info.state_dir}; "
            "restart it ('firefly sandbox down', then 'firefly sandbox up')"
        )
    return info.credentials


def lost_notice(*, state_dir: Path | None = None) -> str | None:
    """Once, after an engine died without 'firefly sandbox down': what that means."""
    lost = state.take_lost(state_dir or state.default_state_dir())
    if lost is None:
        return None
    return (
        f"the sandbox that ran at {lost.endpoint} (pid {lost.pid}, started {lost.started_at}) "
        "stopped without 'firefly sandbox down', and its state went with it: every stack "
        "deployed there is gone"
    )


def start(
    port: int = DEFAULT_PORT,
    latency: float | None = None,
    *,
    faults: str | None = None,
    state_dir: Path | None = None,
) -> SandboxInfo:
    """Start the engine detached and wait until it answers; reuse one that already runs.

    `faults` (`throttle=F,error=F,seed=N`; None: $FIREFLY_SANDBOX_FAULTS when set) is what the
    engine injects; a running engine is reused only when it injects the same.

    Raises:
        PortInUseError: another program listens on `port`.
        SandboxUsageError: a bad port, latency or fault setting, or an engine runs with other
            settings.
        SandboxError: the engine did not come up (its log says why).
    """
    return start_or_find(port, latency, faults=faults, state_dir=state_dir)[0]


def start_or_find(
    port: int = DEFAULT_PORT,
    latency: float | None = None,
    *,
    faults: str | None = None,
    state_dir: Path | None = None,
) -> tuple[SandboxInfo, bool]:
    """`start`, and True when this call started the engine (a new, empty one) rather than
    finding it running: its state lives in memory, so a user needs to know which."""
    _check_settings(port, latency)
    wanted = _wanted_faults(faults)
    folder = state_dir or state.default_state_dir()
    with state.locked(folder):
        running = status(state_dir=folder)
        if running is not None:
            _check_reusable(running, port, latency, wanted)
            return running, False
        _check_port_free(port)
        process = _spawn(folder, port, latency, wanted)
        return _wait_until_answering(folder, process), True


def stop(*, state_dir: Path | None = None) -> bool:
    """Stop the engine; False when none was running."""
    folder = state_dir or state.default_state_dir()
    with state.locked(folder):
        running = status(state_dir=folder)
        if running is None:
            return False
        state.terminate(running.pid)
        if not _wait_for_exit(running.pid, STOP_TIMEOUT):
            state.kill(running.pid)  # it ignored SIGTERM; its state is in memory anyway
            _wait_for_exit(running.pid, STOP_TIMEOUT)
        state.remove_record(folder, pid=running.pid)
        return True


def start_soon(port: int = DEFAULT_PORT, *, state_dir: Path | None = None) -> None:
    """Begin `ensure_running` on a thread of its own and return at once, so that the engine's
    start (seconds of imports, in its own process) overlaps the caller's own work; the next
    `ensure_running` with the same port and folder takes its outcome, an error included.

    An engine started so runs on when the caller ends first (its checks failed, say), as after
    `firefly sandbox up`: the next command reuses it.
    """
    folder = state_dir or state.default_state_dir()
    key = (port, folder)
    if key in _soon:
        return
    outcome: Future[tuple[SandboxInfo, bool]] = Future()

    def run() -> None:
        try:
            outcome.set_result(_ensure_running(port, folder))
        except BaseException as error:  # handed to whoever takes the outcome
            outcome.set_exception(error)

    _soon[key] = outcome
    threading.Thread(target=run, name="sandbox-start", daemon=True).start()


def ensure_running(
    port: int = DEFAULT_PORT, *, state_dir: Path | None = None
) -> tuple[SandboxInfo, bool]:
    """The engine for a sandbox environment, started when needed; True when it was started
    (by this call, or by the `start_soon` it completes).

    $FIREFLY_SANDBOX_FAULTS, when set, is what the engine must inject, as for `start`.
    """
    begun = _soon.pop((port, state_dir or state.default_state_dir()), None)
    if begun is not None:
        return begun.result()
    return _ensure_running(port, state_dir)


def _ensure_running(port: int, state_dir: Path | None) -> tuple[SandboxInfo, bool]:
    running = status(state_dir=state_dir)
    if running is not None:
        _check_reusable(running, port, None, _wanted_faults(None))
        return running, False
    # another command may start it between status() and here; then it was not us
    return start_or_find(port, state_dir=state_dir)


def _reap_ended(pid: int) -> None:
    """Reap an engine this process started that ended without `stop` (killed, crashed).

    Its end may still be under way (a killed process loses its command line before it becomes
    a zombie), and `state.is_alive` may already have reaped it behind its Popen's back, which
    Popen then takes as ended (waitpid answers ECHILD): waiting on the Popen covers both, so
    none is left to warn "subprocess N is still running" when this process exits."""
    child = _children.pop(pid, None)
    if child is None:
        return
    try:
        child.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:  # alive after all, under another program's name
        _children[pid] = child


def _info(folder: Path, record: state.EngineRecord) -> SandboxInfo:
    return SandboxInfo(
        pid=record.pid,
        port=record.port,
        endpoint=record.endpoint,
        latency=record.latency,
        started_at=record.started_at,
        log_path=state.log_path(folder),
        answering=_answers(record.endpoint),
        faults=record.faults,
        credentials=keys.client if (keys := state.read_keys(folder)) else None,
    )


def _check_settings(port: int, latency: float | None) -> None:
    if not 0 < port < 65536:
        raise SandboxUsageError(f"the sandbox port must be 1-65535, not {port}")
    if latency is not None and parse_latency(latency) is None:
        raise SandboxUsageError(f"the sandbox latency must be seconds >= 0, not {latency!r}")


def _wanted_faults(faults: str | None) -> FaultSpec | None:
    """The faults asked for, from the argument or else the environment; None: no wish."""
    given = faults if faults is not None else os.environ.get(FAULTS_ENV)
    return None if given is None else parse_faults(given)


def _check_reusable(
    running: SandboxInfo, port: int, latency: float | None, faults: FaultSpec | None
) -> None:
    if running.port != port:
        raise SandboxUsageError(
            f"the sandbox already runs on port {running.port}, not {port}; stop it first "
            f"(firefly sandbox down), or use its port: {PORT_ENV}={running.port}"
        )
    if latency is not None and latency != running.latency:
        raise SandboxUsageError(
            f"the sandbox already runs with latency {running.latency}s, not {latency}s; "
            "stop it first (firefly sandbox down)"
        )
    if faults is not None and faults.text != running.faults:
        raise SandboxUsageError(
            f"the sandbox already runs with faults {running.faults or 'none'}, not "
            f"{faults.text or 'none'}; stop it first (firefly sandbox down)"
        )


def _check_port_free(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUseError(port) from exc
            raise SandboxError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from exc


def _engine_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _CALLER_CREDENTIALS}


def _spawn(
    folder: Path, port: int, latency: float | None, faults: FaultSpec | None
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        state.ENGINE_MODULE,
        "--port",
        str(port),
        "--state-dir",
        str(folder),
    ]
    if latency is not None:
        command += ["--latency", str(latency)]
    if faults is not None:
        command += ["--faults", faults.text]
    with os.fdopen(state.open_private(state.log_path(state.private_folder(folder))), "ab") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # detached: survives the command that started it
            env=_engine_environment(),
            cwd=folder,
        )
    _children[process.pid] = process
    return process


def _wait_until_answering(folder: Path, process: subprocess.Popen[bytes]) -> SandboxInfo:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _children.pop(process.pid, None)
            raise SandboxError(
                f"the sandbox exited while starting: {_last_line(folder)} "
                f"(log: {state.log_path(folder)})"
            )
        record = state.read_record(folder)
        if record is not None and record.pid == process.pid and _answers(record.endpoint):
            return _info(folder, record)
        time.sleep(POLL)
    process.kill()
    process.wait()
    _children.pop(process.pid, None)
    raise SandboxError(
        f"the sandbox did not answer within {START_TIMEOUT:.0f}s (log: {state.log_path(folder)})"
    )


def _wait_for_exit(pid: int, timeout: float) -> bool:
    child = _children.pop(pid, None)
    if child is not None:
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            _children[pid] = child
            return False
        return True
    deadline = time.monotonic() + timeout
    while state.is_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL)
    return True


def _answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def _last_line(folder: Path) -> str:
    try:
        lines = state.log_path(folder).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "no log"
    return next((line for line in reversed(lines) if line.strip()), "empty log")
