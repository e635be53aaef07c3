"""Errors of the local engine that the user can act on (a port in use, a bad latency)."""

from __future__ import annotations

from orchestrator.errors import ExitCode, OrchestratorError

# The one setting that moves the engine, and every command that finds it, off port 4566.
PORT_ENV = "FIREFLY_SANDBOX_PORT"


class SandboxError(OrchestratorError):
    """The sandbox could not be started, reached or stopped."""


class SandboxUsageError(SandboxError):
    """A bad setting given by the user: a non-loopback host, a negative latency."""

    exit_code = ExitCode.USAGE


class PortInUseError(SandboxError):
    """The port the sandbox should listen on is taken by another program."""

    def __init__(self, port: int) -> None:
        super().__init__(
            f"port {port} on 127.0.0.1 is already in use by another program; "
            f"stop it or choose another port: set {PORT_ENV} (or --port)"
        )
        self.port = port
