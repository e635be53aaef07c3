"""Run the sandbox engine in the foreground until SIGTERM or SIGINT.

`python -m orchestrator.sandbox [--port 4566] [--latency S] [--faults SPEC] [--state-dir DIR]`;
with a state folder it writes its key pairs and then its pid file there while it listens (what
`lifecycle.start` waits for).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from orchestrator.errors import OrchestratorError
from orchestrator.sandbox import settings, state
from orchestrator.sandbox.faults.spec import FAULTS_ENV
from orchestrator.sandbox.guard.keys import EngineKeys
from orchestrator.sandbox.startup import quick_imports

with quick_imports():  # importing moto is most of the engine's start
    from orchestrator.sandbox.server import start_server

DEFAULT_PORT = 4566


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m orchestrator.sandbox")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port on 127.0.0.1 (default: %(default)s)"
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how long each stack operation stays *_IN_PROGRESS "
        "(default: $FIREFLY_SANDBOX_LATENCY, else 0)",
    )
    parser.add_argument(
        "--faults",
        default=os.environ.get(FAULTS_ENV, ""),
        metavar="SPEC",
        help="answer that fraction of client calls as throttled or failed: "
        f"throttle=F,error=F,seed=N (default: ${FAULTS_ENV}, else none)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="write the key pairs and the pid file here while listening",
    )
    return parser.parse_args(argv)


def _stop_event() -> threading.Event:
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    return stopping


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    stopping = _stop_event()
    keys = EngineKeys.generate()
    try:
        server = start_server(port=args.port, latency=args.latency, faults=args.faults, keys=keys)
    except OrchestratorError as exc:
        print(f"firefly sandbox: {exc.message}", file=sys.stderr, flush=True)
        return int(exc.exit_code)
    if args.state_dir is not None:
        state.write_keys(args.state_dir, keys)  # before the pid file: its readers need them
        state.write_record(
            args.state_dir,
            state.EngineRecord(
                pid=os.getpid(),
                port=server.port,
                endpoint=server.endpoint,
                latency=settings.server_latency(),
                started_at=datetime.now(UTC).isoformat(),
                faults=server.faults.text,
            ),
        )
    print(
        f"firefly sandbox listening on {server.endpoint} (latency {settings.server_latency()}s, "
        f"faults {server.faults.text or 'none'})",
        flush=True,
    )
    try:
        while not stopping.wait(timeout=1.0):  # a timed wait lets signal handlers run
            pass
    finally:
        if args.state_dir is not None:
            state.remove_record(args.state_dir, pid=os.getpid())
        server.stop()
    print("firefly sandbox stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
