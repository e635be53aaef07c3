"""The sandbox's state folder: the pid file that names the running engine, its key pairs, and
its log. The folder is the owner's only (0700) and every file in it too (0600): the key file
is what lets a process drive the engine."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from orchestrator.sandbox.errors import SandboxError, SandboxUsageError
from orchestrator.sandbox.guard.keys import EngineKeys

STATE_DIR_ENV = "FIREFLY_STATE_DIR"
PID_FILE = "sandbox.pid"
LOG_FILE = "sandbox.log"
LOCK_FILE = "sandbox.lock"
LOST_FILE = "sandbox.lost"  # the record of an engine that died without being stopped
KEYS_FILE = "sandbox.keys"  # the running engine's key pairs
FOLDER_MODE = 0o700
FILE_MODE = 0o600
ENGINE_MODULE = "orchestrator.sandbox"


def default_state_dir() -> Path:
    """`$FIREFLY_STATE_DIR`, else `~/.firefly/sandbox`; absolute, because the engine runs in
    that folder and reads the path it is given from there."""
    configured = os.environ.get(STATE_DIR_ENV)
    folder = Path(configured).expanduser() if configured else Path.home() / ".firefly" / "sandbox"
    return folder.absolute()


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


def keys_path(state_dir: Path) -> Path:
    return state_dir / KEYS_FILE


def private_folder(state_dir: Path) -> Path:
    """The state folder, made when missing, and the owner's only."""
    try:
        state_dir.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        state_dir.chmod(FOLDER_MODE)
    except OSError as error:
        raise SandboxUsageError(_unusable_folder(state_dir, error.strerror)) from None
    return state_dir


def _unusable_folder(state_dir: Path, reason: str | None) -> str:
    configured = os.environ.get(STATE_DIR_ENV)
    if configured:
        return (
            f"{STATE_DIR_ENV}={configured}: cannot use it as the sandbox's state folder "
            f"({reason}); point it at a folder of your own, or unset it for ~/.firefly/sandbox"
        )
    return (
        f"the sandbox's state folder {state_dir}: cannot create it ({reason}); "
        f"set {STATE_DIR_ENV} to a folder of your own"
    )


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_APPEND) -> int:
    """A file descriptor of `path`, created 0600 (and made 0600 if it was not)."""
    descriptor = os.open(path, flags, FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)
    return descriptor


def _write_atomically(state_dir: Path, name: str, text: str) -> None:
    """Write a file of the state folder so that a reader never sees half of it."""
    partial = private_folder(state_dir) / f".{name}.{os.getpid()}"
    with os.fdopen(open_private(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), "w") as out:
        out.write(text)
    partial.replace(state_dir / name)


def write_record(state_dir: Path, record: EngineRecord) -> None:
    _write_atomically(state_dir, PID_FILE, json.dumps(asdict(record)))


def write_keys(state_dir: Path, keys: EngineKeys) -> None:
    _write_atomically(state_dir, KEYS_FILE, json.dumps(keys.to_dict()))


def read_keys(state_dir: Path) -> EngineKeys | None:
    """The key pairs of the engine of this folder, or None when there are none."""
    try:
        return EngineKeys.from_dict(json.loads(keys_path(state_dir).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


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
    """Remove the pid file and the keys of its engine; with `pid`, only when it still names that
    process."""
    record = read_record(state_dir)
    if pid is not None and record is not None and record.pid != pid:
        return
    for path in (pid_path(state_dir), keys_path(state_dir)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def record_lost(state_dir: Path, record: EngineRecord) -> None:
    """Remember an engine that died without `stop` (killed, crashed, the machine rebooted):
    its state went with it, which the next command must say before it acts."""
    _write_atomically(state_dir, LOST_FILE, json.dumps(asdict(record)))
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
    with os.fdopen(open_private(private_folder(state_dir) / LOCK_FILE), "a") as lock:
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
