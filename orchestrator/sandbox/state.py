"""The sandbox's state folder: the pid file that names the running engine, and its log."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from orchestrator.sandbox.errors import SandboxError

STATE_DIR_ENV = "FIREFLY_STATE_DIR"
PID_FILE = "sandbox.pid"
LOG_FILE = "sandbox.log"
LOCK_FILE = "sandbox.lock"
LOST_FILE = "sandbox.lost"  # the record of an engine that died without being stopped
ENGINE_MODULE = "orchestrator.sandbox"


def default_state_dir() -> Path:
    """`$FIREFLY_STATE_DIR`, else `~/.firefly/sandbox`."""
    configured = os.environ.get(STATE_DIR_ENV)
    return Path(configured) if configured else Path.home() / ".firefly" / "sandbox"


@dataclass(frozen=True)
class EngineRecord:
    """What the engine writes to its pid file once it listens."""

    pid: int
    port: int
    endpoint: str
    latency: float
    started_at: str
    faults: str = ""  # `throttle=F,error=F,seed=N`; empty: none


def pid_path(state_dir: Path) -> Path:
    return state_dir / PID_FILE


def log_path(state_dir: Path) -> Path:
    return state_dir / LOG_FILE


def write_record(state_dir: Path, record: EngineRecord) -> None:
    """Write the pid file atomically, so a reader never sees half of it."""
    state_dir.mkdir(parents=True, exist_ok=True)
    partial = state_dir / f".{PID_FILE}.{record.pid}"
    partial.write_text(json.dumps(asdict(record)), encoding="utf-8")
    partial.replace(pid_path(state_dir))


def read_record(state_dir: Path) -> EngineRecord | None:
    """The recorded engine, or None when there is no readable pid file."""
    try:
        data = json.loads(pid_path(state_dir).read_text(encoding="utf-8"))
        return EngineRecord(
            pid=int(data["pid"]),
            port=int(data["port"]),
            endpoint=str(data["endpoint"]),
            latency=float(data["latency"]),
            started_at=str(data["started_at"]),
            faults=str(data.get("faults", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remove_record(state_dir: Path, pid: int | None = None) -> None:
    """Remove the pid file; with `pid`, only when it still names that process."""
    record = read_record(state_dir)
    if pid is not None and record is not None and record.pid != pid:
        return
    with contextlib.suppress(FileNotFoundError):
        pid_path(state_dir).unlink()


def record_lost(state_dir: Path, record: EngineRecord) -> None:
    """Remember an engine that died without `stop` (killed, crashed, the machine rebooted):
    its state went with it, which the next command must say before it acts."""
    (state_dir / LOST_FILE).write_text(json.dumps(asdict(record)), encoding="utf-8")
    remove_record(state_dir, pid=record.pid)


def take_lost(state_dir: Path) -> EngineRecord | None:
    """The engine that died without `stop`, once: the file is removed as it is read."""
    lost = state_dir / LOST_FILE
    try:
        data = json.loads(lost.read_text(encoding="utf-8"))
        lost.unlink()
        return EngineRecord(**{k: data[k] for k in EngineRecord.__dataclass_fields__ if k in data})
    except (OSError, ValueError, TypeError):
        return None


@contextlib.contextmanager
def locked(state_dir: Path) -> Iterator[None]:
    """Serialise start and stop between concurrent firefly commands."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with (state_dir / LOCK_FILE).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def is_alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie child of ours is reaped and counts as gone)."""
    with contextlib.suppress(ChildProcessError):
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive, but not ours to manage
        return True
    return True


def is_engine(pid: int) -> bool:
    """Whether `pid` is a live sandbox engine, not a process that reused a stale pid."""
    if not is_alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.parent.exists():  # no procfs (macOS): the pid's liveness is all we know
        return True
    try:
        return ENGINE_MODULE in cmdline.read_bytes().decode(errors="replace")
    except OSError:
        return False


def terminate(pid: int) -> None:
    _signal(pid, signal.SIGTERM)


def kill(pid: int) -> None:
    _signal(pid, signal.SIGKILL)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass  # it has just exited
    except PermissionError as exc:
        raise SandboxError(f"cannot stop the sandbox (pid {pid}): it runs as another user") from exc
