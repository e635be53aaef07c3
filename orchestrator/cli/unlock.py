"""`firefly unlock`: break an environment's lock left by a run that died, or end this run's."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from orchestrator.cli.console import stderr, stdout
from orchestrator.cli.deploy import EnvOption, ProfileOption
from orchestrator.cli.options import DEFAULT_MANIFEST, ManifestOption
from orchestrator.errors import OrchestratorError, UsageError

EXAMPLE = "Example: firefly unlock --env dev"


def unlock(
    env: EnvOption,
    manifest: ManifestOption = DEFAULT_MANIFEST,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Break another run's lock without asking.")
    ] = False,
    own_run: Annotated[
        bool,
        typer.Option(
            "--own-run",
            help="Only end this run's lock (FIREFLY_RUN_ID or the GitHub Actions run); "
            "leave another run's alone. What a workflow's last job runs.",
        ),
    ] = False,
    profile: ProfileOption = None,
) -> None:
    """Break the environment's lock, left by a run that died (asks first unless it is this
    run's own)."""
    from orchestrator.connect import lock_store, open_environment
    from orchestrator.engine.lock import run_identity
    from orchestrator.engine.unlock import Unlocked
    from orchestrator.engine.unlock import unlock as break_lock
    from orchestrator.validation import load_checked

    loaded = load_checked(manifest)
    connection = open_environment(
        loaded, env, profile=profile, notice=lambda text: stderr.print(text, style="cyan")
    )

    def confirm(holder: str) -> None:
        if yes:
            return
        if not stdout.is_terminal:
            raise UsageError(
                f"environment {env} is locked by {holder}: pass --yes to break that lock "
                "(nothing was changed)"
            )
        if not typer.confirm(f"environment {env} is locked by {holder}. Break it?"):
            raise OrchestratorError(f"the lock of environment {env} was kept: not confirmed")

    result = break_lock(
        lock_store(loaded, connection), env, run_identity(os.environ), confirm, own_run_only=own_run
    )
    said = {
        Unlocked.NOT_LOCKED: f"environment {env} is not locked",
        Unlocked.OWN_RUN: f"released this run's lock of environment {env} ({result.holder})",
        Unlocked.BROKEN: f"broke the lock of environment {env} held by {result.holder}",
        Unlocked.LEFT: f"environment {env} is locked by another run, left as it is: "
        f"{result.holder}",
    }
    stdout.print(said[result.outcome])
