"""`firefly rollback`: gets a failed stack moving again (RollbackStack, ContinueUpdateRollback)."""

from __future__ import annotations

from typing import Annotated

import typer

from orchestrator.cli.console import stderr, stdout
from orchestrator.cli.deploy import EnvOption, ProfileOption
from orchestrator.cli.options import DEFAULT_MANIFEST, ManifestOption

EXAMPLE = "Example: firefly rollback --env dev --only cognito --skip-resource UserPool"


class _PhaseLines:
    """Progress as plain lines on stderr: a rollback runs one stack at a time."""

    def started(self, workflow: str) -> None:
        pass

    def phase(self, workflow: str, text: str) -> None:
        stderr.print(f"{workflow}: {text}", markup=False, highlight=False)

    def finished(self, result: object) -> None:
        pass

    def interrupting(self, in_flight: list[str]) -> None:
        pass


def rollback(
    env: EnvOption,
    only: Annotated[
        list[str],
        typer.Option("--only", help="The workflow whose stack to roll back (repeatable)."),
    ],
    manifest: ManifestOption = DEFAULT_MANIFEST,
    skip_resource: Annotated[
        list[str] | None,
        typer.Option(
            "--skip-resource",
            help="UPDATE_ROLLBACK_FAILED: leave this resource (logical id) as it is and finish "
            "the rollback without it (repeatable).",
        ),
    ] = None,
    profile: ProfileOption = None,
) -> None:
    """Roll back a stack a --no-rollback deploy left CREATE_FAILED/UPDATE_FAILED, or continue
    the rollback of an UPDATE_ROLLBACK_FAILED one; exit 0 once every stack is stable."""
    from orchestrator.cli.locking import held_lock
    from orchestrator.connect import open_environment
    from orchestrator.engine.rollback import RollbackRequest, selected_stacks
    from orchestrator.engine.rollback import rollback as run_rollback
    from orchestrator.validation import load_checked

    loaded = load_checked(manifest)
    request = RollbackRequest(env, tuple(only), tuple(skip_resource or ()))
    selected_stacks(loaded, request)  # a wrong --only fails before any AWS call
    connection = open_environment(
        loaded, env, profile=profile, notice=lambda text: stderr.print(text, style="cyan")
    )
    with held_lock(loaded, connection, "rollback", request.only):
        outcomes = run_rollback(loaded, request, connection.stacks, _PhaseLines())
    for outcome in outcomes:
        console = stdout if outcome.ok else stderr
        console.print(f"{outcome.workflow}: {outcome.message}", markup=False, highlight=False)
    raise typer.Exit(0 if all(o.ok for o in outcomes) else 1)
