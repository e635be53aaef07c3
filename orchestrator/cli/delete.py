"""`firefly delete`: the preflight plan, a confirmation, then the delete graph in order."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from orchestrator.cli.console import redactor_for, stderr, stdout
from orchestrator.cli.deploy import (
    EnvOption,
    NoDepsOption,
    OnlyOption,
    ProfileOption,
    ReportOption,
    SkipChecksOption,
)
from orchestrator.cli.options import DEFAULT_MANIFEST, ManifestOption, check_no_deps
from orchestrator.errors import OrchestratorError, UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console

    from orchestrator.engine.delete_plan import DeletePlan
    from orchestrator.engine.redaction import Redactor
    from orchestrator.manifest.models import Environment

EXAMPLE = "Example: firefly delete --env dev --only func-status --yes"


def delete(
    env: EnvOption,
    manifest: ManifestOption = DEFAULT_MANIFEST,
    only: OnlyOption = None,
    no_deps: NoDepsOption = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask (CI).")] = False,
    confirm: Annotated[
        str | None,
        typer.Option("--confirm", help="The environment's name: required for protected ones."),
    ] = None,
    disable_deletion_protection: Annotated[
        bool,
        typer.Option(
            "--disable-deletion-protection",
            help="Turn off DynamoDB deletion protection of the tables in scope.",
        ),
    ] = False,
    empty_buckets: Annotated[
        bool,
        typer.Option(
            "--empty-buckets",
            help="Delete every object version in the buckets the delete removes (refused on "
            "protected environments).",
        ),
    ] = False,
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-j", min=1, help="Stacks deleted at once.")
    ] = 8,
    report: ReportOption = None,
    profile: ProfileOption = None,
    skip_checks: SkipChecksOption = False,
) -> None:
    """Delete stacks in delete-graph order, after showing what goes, what stays, what blocks.

    First, before any AWS call, every check of `firefly validate` on the selected workflows.
    """
    from orchestrator.cli.locking import held_lock
    from orchestrator.cli.run_display import run_with_display
    from orchestrator.connect import inventory, open_environment
    from orchestrator.engine.delete import delete as run_delete
    from orchestrator.engine.delete_plan import DeleteRequest, plan_delete, selected_delete_graph
    from orchestrator.manifest import environment
    from orchestrator.validation import check_selected, load_checked

    check_no_deps(only, no_deps)
    loaded = load_checked(manifest)
    _check_confirmation_usage(environment(loaded, env), yes=yes, confirm=confirm)
    request = DeleteRequest(
        env=env,
        only=tuple(only or ()),
        with_prerequisites=not no_deps,
        concurrency=concurrency,
        disable_deletion_protection=disable_deletion_protection,
        empty_buckets=empty_buckets,
    )
    graph = selected_delete_graph(loaded, request)  # an unknown --only fails before any AWS call
    if not skip_checks:
        check_selected(loaded, graph.nodes)
    redactor = redactor_for(loaded, env, os.environ)
    connection = open_environment(
        loaded, env, profile=profile, notice=lambda text: stderr.print(text, style="cyan")
    )
    with held_lock(loaded, connection, "delete", request.only):
        stock = inventory(loaded, connection)
        plan = plan_delete(loaded, request, connection.stacks, stock)
        print_plan(plan, redactor)
        if not plan.existing:
            stdout.print("nothing to delete: none of these stacks exists")
            _report_nothing_deleted(report, plan, env, "none of these stacks exists", redactor)
            return
        try:
            if plan.blockers:
                count = len(plan.blockers)
                raise OrchestratorError(
                    f"nothing was deleted: {count} blocker{'s' if count > 1 else ''}, listed above"
                )
            _confirm(connection.env, plan, yes=yes, confirm=confirm)
        except OrchestratorError as refused:
            _report_nothing_deleted(report, plan, env, refused.message, redactor)
            raise
        code = run_with_display(
            loaded,
            plan.graph,
            "delete",
            request.only,
            report,
            lambda observer: run_delete(plan, request, connection.stacks, stock, observer),
            redactor=redactor,
            out=stdout,
            err=stderr,
            api_calls=connection.clients.calls.counts,
        )
        _print_retained(plan, stdout, "retained by DeletionPolicy:", redactor)
        raise typer.Exit(code)


def print_plan(plan: DeletePlan, redact: Redactor) -> None:
    """The preflight on stderr; physical names (a secret bucket name) go through `redact`."""
    stderr.print("delete plan (each level after the one before):", style="bold")
    for number, level in enumerate(plan.levels, start=1):
        names = [f"{plan.stacks[w]}" + ("" if w in plan.existing else " (absent)") for w in level]
        stderr.print(redact(f"  {number}. {', '.join(names)}"))
    for workflow, tables in plan.protected_tables.items():
        stderr.print(
            redact(
                f"  {workflow}: deletion protection on {', '.join(tables)}"
                " will be disabled (--disable-deletion-protection)"
            ),
            style="yellow",
        )
    emptied = {b for buckets in plan.buckets_to_empty.values() for b in buckets}
    for stored in plan.data:
        if stored.is_bucket and stored.resource.physical_id not in emptied:
            continue  # a blocker, listed below
        fate = "will be emptied (--empty-buckets)" if stored.is_bucket else "deleted with it"
        stderr.print(redact(f"  {stored.workflow}: {stored.describe()}, {fate}"), style="yellow")
    _print_retained(plan, stderr, "  retained by DeletionPolicy:", redact)
    for blocker in plan.blockers:
        stderr.print(redact(f"  blocked: {blocker.workflow}: {blocker.message}"), style="red")


def _print_retained(plan: DeletePlan, console: Console, title: str, redact: Redactor) -> None:
    """In the plan (stderr, before) and in the results (stdout, after the delete)."""
    kept = [(w, r) for w, resources in plan.retained.items() for r in resources]
    if not kept:
        return
    console.print(title)
    for workflow, resource in kept:
        console.print(
            redact(
                f"    {workflow}: {resource.logical_id} ({resource.resource_type}) "
                f"{resource.physical_id}"
            )
        )


def _check_confirmation_usage(env: Environment, *, yes: bool, confirm: str | None) -> None:
    """What can be told from the command line alone, before any check or AWS call."""
    if confirm is not None and confirm != env.name:
        raise UsageError(
            f"--confirm {confirm}: this deletes from environment {env.name}; "
            f"pass --confirm {env.name} (nothing was deleted)"
        )
    if env.protected and confirm is None and (yes or not stdout.is_terminal):
        raise UsageError(
            f"environment {env.name} is protected: pass --confirm {env.name} as well "
            "(nothing was deleted)"
        )


def _confirm(env: Environment, plan: DeletePlan, *, yes: bool, confirm: str | None) -> None:
    if env.protected and confirm != env.name:
        typed = typer.prompt(f"{env.name} is protected; type its name to delete")
        if typed != env.name:
            raise UsageError("the name did not match; nothing was deleted")
        return
    if yes:
        return
    if not stdout.is_terminal:
        raise UsageError("deleting needs a confirmation: pass --yes (nothing was deleted)")
    count = len(plan.existing)
    if not typer.confirm(f"delete {count} stack(s) of {env.name}?", default=False):
        raise OrchestratorError("nothing was deleted: the confirmation was declined")


def _report_nothing_deleted(
    report: Path | None, plan: DeletePlan, env: str, reason: str, redact: Redactor
) -> None:
    """`--report` is written whatever the outcome, a delete that never started included."""
    if report is not None:
        from orchestrator.cli.summary import write_report
        from orchestrator.engine.delete import nothing_deleted

        write_report(report, redact.run(nothing_deleted(plan, env, reason)))
