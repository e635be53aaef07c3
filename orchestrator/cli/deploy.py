"""`firefly deploy`: every selected workflow into one environment, in dependency order."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from orchestrator.cli.console import redactor_for, stderr, stdout
from orchestrator.cli.options import (
    DEFAULT_MANIFEST,
    ManifestOption,
    check_no_deps,
    writable_report,
)

EXAMPLE = "Example: firefly deploy --env dev --only func-api-firmware-status-patch"

EnvOption = Annotated[str, typer.Option("--env", "-e", help="The environment of the manifest.")]
OnlyOption = Annotated[
    list[str] | None,
    typer.Option("--only", help="Only this workflow (repeatable), plus what it needs."),
]
NoDepsOption = Annotated[
    bool, typer.Option("--no-deps", help="With --only: leave out what the workflows need.")
]
ReportOption = Annotated[
    Path | None,
    typer.Option(
        "--report", help="Write the results as JSON to this file.", callback=writable_report
    ),
]
ProfileOption = Annotated[
    str | None, typer.Option("--profile", help="AWS profile (ignored on sandbox environments).")
]
SkipChecksOption = Annotated[
    bool,
    typer.Option(
        "--skip-checks",
        help="For emergencies: skip validate's template, Lambda source and cfn-lint checks of "
        "the selected workflows (the manifest's own checks still run).",
    ),
]
RevertDriftOption = Annotated[
    bool,
    typer.Option(
        "--revert-drift",
        help="Put resources changed outside CloudFormation back to the template's values "
        "(a drift-aware change set, even for unchanged stacks).",
    ),
]


def deploy(
    env: EnvOption,
    manifest: ManifestOption = DEFAULT_MANIFEST,
    only: OnlyOption = None,
    no_deps: NoDepsOption = False,
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-j", min=1, help="Workflows in flight at once.")
    ] = 8,
    report: ReportOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Submit a change set even for unchanged stacks.")
    ] = False,
    profile: ProfileOption = None,
    skip_checks: SkipChecksOption = False,
    no_rollback: Annotated[
        bool,
        typer.Option(
            "--no-rollback",
            help="Keep a failed stack CREATE_FAILED/UPDATE_FAILED with its resources, for the "
            "next deploy to continue or 'firefly rollback' to undo (refused on protected envs).",
        ),
    ] = False,
    revert_drift: RevertDriftOption = False,
) -> None:
    """Deploy in topological order, each workflow as soon as what it needs is done.

    First, before any AWS call, every check of `firefly validate` on the selected workflows;
    a sandbox environment's engine starts meanwhile (and runs on if they fail).
    """
    from orchestrator.sandbox_start import start_sandbox_soon

    check_no_deps(only, no_deps)  # the command line alone is wrong: nothing to start for
    start_sandbox_soon(manifest, env)
    # imported once the engine is starting: their imports overlap its start
    from orchestrator.cli.locking import held_lock
    from orchestrator.cli.run_display import run_with_display
    from orchestrator.connect import deploy_services, open_environment
    from orchestrator.engine.deploy import DeployRequest, check_request, selected_graph
    from orchestrator.engine.deploy import deploy as run_deploy
    from orchestrator.validation import check_selected, load_checked

    loaded = load_checked(manifest)
    request = DeployRequest(
        env=env,
        only=tuple(only or ()),
        with_prerequisites=not no_deps,
        concurrency=concurrency,
        force=force,
        disable_rollback=no_rollback,
        revert_drift=revert_drift,
    )
    check_request(loaded, request)
    graph = selected_graph(loaded, request)  # an unknown --only fails before any AWS call
    if not skip_checks:
        check_selected(loaded, graph.nodes)
    redactor = redactor_for(loaded, env, os.environ)
    connection = open_environment(
        loaded, env, profile=profile, notice=lambda text: stderr.print(text, style="cyan")
    )
    services = deploy_services(loaded, connection)
    with held_lock(loaded, connection, "deploy", request.only):
        code = run_with_display(
            loaded,
            graph,
            "deploy",
            request.only,
            report,
            lambda observer: run_deploy(loaded, request, services, observer),
            redactor=redactor,
            out=stdout,
            err=stderr,
            api_calls=connection.clients.calls.counts,
        )
    raise typer.Exit(code)
