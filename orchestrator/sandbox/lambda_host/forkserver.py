"""The engine's side of the environment template (`zygote.py`): started on the first cold
start, asked for a forked environment at each later one, and stopped with the last engine."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

from orchestrator.sandbox.lambda_host.worker import Channel

ZYGOTE = Path(__file__).with_name("zygote.py")
# The template imports the SDK before its first fork; a wedged one is given up on after this
STARTUP_SECONDS = 30.0
# What the interpreter reads at start-up is the same for every environment (`runner.py` sets
# these for a spawned one too); a function that sets other PYTHON* variables is spawned.
STARTUP_VARIABLES = {"LANG": "en_US.UTF-8", "PYTHONUNBUFFERED": "1"}
OWN_SDK = ("boto3", "botocore")
SITE_PACKAGES = "python/lib/python3.11/site-packages"


def forkable(env: Mapping[str, str], roots: list[str]) -> bool:
    """Whether an environment can come from the template: its code and layers bring no SDK of
    their own (theirs must win over the runtime's, as on Lambda) and it sets no variable the
    interpreter reads only at start-up."""
    if any(k.startswith("PYTHON") and k != "PYTHONUNBUFFERED" for k in env):
        return False
    folders = [Path(root) for root in roots]
    folders += [Path(root) / sub for root in roots[1:] for sub in ("python", SITE_PACKAGES)]
    return not any((folder / name).exists() for folder in folders for name in OWN_SDK)


class ForkServer:
    """One template process per engine process, shared by every function."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._socket: socket.socket | None = None
        self._stops = 0  # a preparation that a stop overtook starts nothing

    def prepare(self) -> None:
        """Start the template in the background, so that the first cold start finds it
        ready (its SDK import overlaps whatever the engine does meanwhile)."""

        stops = self._stops

        def start() -> None:
            with self._lock, contextlib.suppress(OSError):
                if self._stops == stops:
                    self._started()

        threading.Thread(target=start, name="lambda-template", daemon=True).start()

    def fork(self, cwd: str, env: Mapping[str, str]) -> Channel | None:
        """A new environment forked from the template; None if the template cannot serve
        (the caller spawns one instead)."""
        with self._lock:
            try:
                return self._fork(cwd, env)
            except (OSError, ValueError):  # the template died or never came up
                self._stop()
                return None

    def _fork(self, cwd: str, env: Mapping[str, str]) -> Channel:
        channel = self._started()
        requests_read, requests_write = os.pipe()
        answers_read, answers_write = os.pipe()
        try:
            message = json.dumps({"cwd": cwd, "env": dict(env)}).encode()
            socket.send_fds(channel, [message], [requests_read, answers_write])
            pid = int(channel.recv(64) or b"not started")
        except BaseException:
            os.close(requests_write)
            os.close(answers_read)
            raise
        finally:
            os.close(requests_read)
            os.close(answers_write)
        return Channel(
            pid,
            os.fdopen(requests_write, "wb"),
            os.fdopen(answers_read, "rb"),
            lambda: None,  # the template reaps its children
        )

    def _started(self) -> socket.socket:
        if self._socket is not None and self._process is not None:
            if self._process.poll() is None:
                return self._socket
            self._stop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            self._process = subprocess.Popen(
                [sys.executable, str(ZYGOTE), str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **STARTUP_VARIABLES},
                start_new_session=True,
            )
        ours.settimeout(STARTUP_SECONDS)
        self._socket = ours
        return ours

    def stop(self) -> None:
        with self._lock:
            self._stops += 1
            self._stop()

    def _stop(self) -> None:
        if self._socket is not None:
            self._socket.close()  # the template ends at the end of its socket
            self._socket = None
        if self._process is not None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()
            self._process.wait()
            self._process = None
