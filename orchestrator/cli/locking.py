"""The environment lock as deploy and delete hold it: named after the command, heard on stderr."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from orchestrator.cli.console import print_warning

if TYPE_CHECKING:
    from orchestrator.connect import Connection
    from orchestrator.engine.lock import EnvironmentLock
    from orchestrator.manifest.models import Manifest


def held_lock(
    manifest: Manifest, connection: Connection, action: str, only: tuple[str, ...]
) -> EnvironmentLock:
    """The lock to hold (`with`) around every change `action` makes to the environment."""
    from orchestrator.connect import environment_lock

    selected = [part for workflow in only for part in ("--only", workflow)]
    command = shlex.join(["firefly", action, "--env", connection.env.name, *selected])
    return environment_lock(manifest, connection, command, notice=print_warning)
