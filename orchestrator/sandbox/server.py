"""moto's threaded server with firefly's fixes installed, listening on the loopback only, behind
the request guard (only this machine's names, only the engine's own keys)."""

from __future__ import annotations

import errno
import ipaddress
import socket
import threading
from dataclasses import dataclass, field

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from orchestrator.sandbox import settings
from orchestrator.sandbox.apis.websocket.connections import close_all as close_connections
from orchestrator.sandbox.cloudformation.sam import import_translator
from orchestrator.sandbox.errors import PortInUseError, SandboxError, SandboxUsageError
from orchestrator.sandbox.faults.middleware import FaultInjector
from orchestrator.sandbox.faults.spec import FaultSpec, parse_faults
from orchestrator.sandbox.fixes import install_all
from orchestrator.sandbox.guard.keys import EngineKeys
from orchestrator.sandbox.guard.middleware import RequestGuard
from orchestrator.sandbox.lambda_host.runner import prepare_environments, stop_environments

LOOPBACK = "127.0.0.1"


class _RequestHandler(MotoRequestHandler):
    """Logs each request without its query string: a presigned URL's carries credentials."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = getattr(self, "path", None)
        if path is None:
            return super().log_request(code, size)
        self.path = path.split("?", 1)[0]
        try:
            super().log_request(code, size)
        finally:
            self.path = path


class _Server(ThreadedMotoServer):
    """moto's server on a socket bound beforehand, behind the request guard and the fault
    injector.

    moto's own entry binds inside its thread, where werkzeug answers a taken port with
    `sys.exit(1)` and `start()` then waits forever; binding first turns that into an OSError
    on the caller's thread.
    """

    def __init__(self, listening: socket.socket, faults: FaultSpec, keys: EngineKeys) -> None:
        host, port = listening.getsockname()[:2]
        super().__init__(ip_address=host, port=port, verbose=False)
        self._listening = listening
        self._faults = faults
        self._keys = keys

    def _server_entry(self) -> None:
        dispatcher = DomainDispatcherApplication(create_backend_app)
        injector = FaultInjector(dispatcher, self._faults, self._keys.handler.access_key_id)
        self._server = make_server(
            self._ip_address,
            self._port,
            RequestGuard(injector, self._keys, dispatcher),
            True,
            request_handler=_RequestHandler,
            fd=self._listening.fileno(),
        )
        self._listening.close()  # werkzeug serves a duplicate of this descriptor
        self._server_ready_event.set()
        self._server.serve_forever()


def _listen(host: str, port: int) -> socket.socket:
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # as werkzeug does: reuse a port left in TIME_WAIT, never one with a live listener
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
        listening.listen(128)
    except OSError as exc:
        listening.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(port) from exc
        raise SandboxError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    return listening


@dataclass(frozen=True)
class RunningServer:
    """A started engine: where it answers, and how to stop it."""

    host: str
    port: int
    _server: _Server = field(repr=False)
    keys: EngineKeys = field(repr=False)
    faults: FaultSpec = field(default_factory=FaultSpec)

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        # werkzeug's shutdown leaves request threads running: a WebSocket's would outlive it
        close_connections(self.port)
        self._server.stop()
        settings.forget(self.endpoint)
        stop_environments(self.endpoint)  # no warm Lambda environment outlives its engine
        if settings.endpoint() is None:  # the last engine of this process
            stop_environments()


def _check_loopback(host: str) -> None:
    # the sandbox runs code as the developer's user: it must never be reachable from another machine
    try:
        loopback = ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        loopback = False
    if not loopback:
        raise SandboxUsageError(f"the sandbox listens on the loopback only, not on {host!r}")


def start_server(
    host: str = LOOPBACK,
    port: int = 0,
    latency: float | None = None,
    faults: str | None = None,
    keys: EngineKeys | None = None,
) -> RunningServer:
    """Install the fixes and start the engine on `host:port` (port 0: any free port), answering
    the fractions of client calls that `faults` (`throttle=F,error=F,seed=N`) names with faults.
    It accepts requests signed with `keys` only (None: a pair generated now, in `.keys`).

    Raises:
        PortInUseError: the port is taken.
        SandboxUsageError: `host` is not a loopback address, `latency` is negative, or `faults`
            is not a fault setting.
    """
    _check_loopback(host)
    if latency is not None and settings.parse_latency(latency) is None:
        raise SandboxUsageError(f"the sandbox latency must be seconds >= 0, not {latency!r}")
    spec = parse_faults(faults or "")
    install_all()
    listening = _listen(socket.gethostbyname(host), port)
    bound_host, bound_port = listening.getsockname()[:2]
    keys = keys or EngineKeys.generate()
    server = _Server(listening, spec, keys)
    server.start()
    running = RunningServer(str(bound_host), int(bound_port), server, keys, spec)
    settings.configure(endpoint=running.endpoint, latency=latency, handler_keys=keys.handler)
    prepare_environments()
    threading.Thread(target=import_translator, name="sam-translator-import", daemon=True).start()
    return running
