"""Where a sandbox environment's engine is, and starting it before the command needs it.

The engine's own start takes seconds (it imports moto's services), most of which a sandbox
deploy would otherwise spend waiting: `start_sandbox_soon` begins it on a thread of its own
while the command checks the manifest and imports what it runs with (a process of its own does
the work, so both cores are busy). Light on purpose: it imports nothing of the AWS side.
"""

from __future__ import annotations

import os
from pathlib import Path

from orchestrator.errors import UsageError
from orchestrator.manifest import read_manifest
from orchestrator.sandbox import lifecycle
from orchestrator.sandbox.errors import PORT_ENV

ENDPOINT_VARIABLE = "FIREFLY_SANDBOX_ENDPOINT"  # an engine the caller already runs
PORT_VARIABLE = PORT_ENV


def sandbox_port() -> int:
    """The port of the detached engine: $FIREFLY_SANDBOX_PORT, else 4566.

    Every command that starts or looks for the engine asks here, so that they all agree on it
    and all refuse a bad value the same way.
    """
    given = os.environ.get(PORT_VARIABLE, "").strip()
    if not given:
        return lifecycle.DEFAULT_PORT
    port = int(given) if given.isascii() and given.isdigit() else 0
    if not 0 < port < 65536:
        raise UsageError(
            f"{PORT_VARIABLE}={given}: not a port; set it to a number from 1 to 65535, "
            f"or unset it for {lifecycle.DEFAULT_PORT}"
        )
    return port


def start_sandbox_soon(manifest_path: Path, env_name: str) -> None:
    """Begin starting the detached engine when `env_name` is a sandbox environment of the
    manifest that needs it; `connect.sandbox_endpoint` takes the outcome.

    Starting the local engine is no AWS call, so it begins before the checks, even the
    manifest's own (their imports are a third of a second): if they fail, the engine runs on,
    as after `firefly sandbox up`, and the next command reuses it. A manifest that cannot be
    read starts nothing; its problems are the checks' to tell.
    """
    manifest, _ = read_manifest(manifest_path)
    env = manifest.environments.get(env_name) if manifest else None
    if env is not None and env.sandbox and not os.environ.get(ENDPOINT_VARIABLE):
        lifecycle.start_soon(sandbox_port())
