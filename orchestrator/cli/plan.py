"""`firefly plan`: the schedule and what each stack's deploy would change, changing nothing."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from orchestrator.cli.console import redactor_for, stderr, stdout
from orchestrator.cli.deploy import (
    EnvOption,
    NoDepsOption,
    OnlyOption,
    ProfileOption,
    RevertDriftOption,
    SkipChecksOption,
)
from orchestrator.cli.options import DEFAULT_MANIFEST, ManifestOption, check_no_deps

EXAMPLE = "Example: firefly plan --env dev --only func-status"
STYLES = {
    "create": "green",
    "update": "yellow",
    "unchanged": "dim",
    "recreate": "magenta",
    "fail": "red",
    "wait": "cyan",
    "unknown": "cyan",
    "run tests": "blue",
}


def plan(
    env: EnvOption,
    manifest: ManifestOption = DEFAULT_MANIFEST,
    only: OnlyOption = None,
    no_deps: NoDepsOption = False,
    profile: ProfileOption = None,
    skip_checks: SkipChecksOption = False,
    revert_drift: RevertDriftOption = False,
) -> None:
    """Show the deploy order as parallel levels and, per stack, what would change.

    First, before any AWS call, every check of `firefly validate` on the selected workflows.
    """
    from rich.text import Text

    from orchestrator.connect import deploy_services, open_environment
    from orchestrator.engine.deploy import DeployRequest, selected_graph
    from orchestrator.engine.preview import preview
    from orchestrator.validation import check_selected, load_checked

    check_no_deps(only, no_deps)
    loaded = load_checked(manifest)
    request = DeployRequest(
        env=env,
        only=tuple(only or ()),
        with_prerequisites=not no_deps,
        revert_drift=revert_drift,
    )
    graph = selected_graph(loaded, request)
    if not skip_checks:
        check_selected(loaded, graph.nodes)
    redact = redactor_for(loaded, env, os.environ)
    connection = open_environment(
        loaded, env, profile=profile, notice=lambda text: stderr.print(text, style="cyan")
    )
    result = preview(loaded, request, deploy_services(loaded, connection))
    for number, level in enumerate(result.levels, start=1):
        stdout.print(Text(f"level {number}", style="bold"))
        for name in level:
            planned = result.workflows[name]
            note = redact(f" — {planned.note}") if planned.note else ""
            stdout.print(
                Text.assemble(
                    f"  {name}: ",
                    (planned.action, STYLES.get(planned.action, "")),
                    note,
                    (drift_note(planned.drift_status, planned.drift_checked), "dim"),
                )
            )
            for change in planned.changes:
                replacement = " (replacement)" if change.get("replacement") == "True" else ""
                stdout.print(
                    redact(
                        f"      {change['action']} {change['logical_id']} "
                        f"({change['type']}){replacement}"
                    )
                )


def drift_note(status: str, checked: datetime | None, now: datetime | None = None) -> str:
    """` [drift: DRIFTED, checked 3h ago]`: the last detection and its age (none: no stack)."""
    if not status:
        return ""
    if checked is None or status == "NOT_CHECKED":
        return " [drift: not checked]"
    seconds = max(0, int(((now or datetime.now(UTC)) - checked).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f" [drift: {status}, checked {seconds // size}{unit} ago]"
    return f" [drift: {status}, checked {seconds}s ago]"
