"""`firefly drift`: per selected workflow IN_SYNC / DRIFTED / NOT_CHECKED, and each drifted
property with its expected and actual values (redacted)."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Annotated, Any

import typer

from orchestrator.cli.console import print_plain, redactor_for, stderr, stdout
from orchestrator.cli.deploy import EnvOption, NoDepsOption, OnlyOption, ProfileOption
from orchestrator.cli.options import DEFAULT_MANIFEST, ManifestOption, check_no_deps

if TYPE_CHECKING:
    from orchestrator.engine.drift import WorkflowDrift

EXAMPLE = "Example: firefly drift --env dev --only dynamodb-firmware --json"


def drift(
    env: EnvOption,
    manifest: ManifestOption = DEFAULT_MANIFEST,
    only: OnlyOption = None,
    no_deps: NoDepsOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
    profile: ProfileOption = None,
) -> None:
    """Detect drift on every selected stack; exit 1 when anything drifted."""
    from orchestrator.connect import drift_detector, open_environment
    from orchestrator.engine.deploy import DeployRequest
    from orchestrator.engine.drift import drift as detect_drift
    from orchestrator.engine.drift import drift_exit_code
    from orchestrator.validation import load_checked

    check_no_deps(only, no_deps)
    loaded = load_checked(manifest)
    request = DeployRequest(env=env, only=tuple(only or ()), with_prerequisites=not no_deps)
    redact = redactor_for(loaded, env, os.environ)
    connection = open_environment(
        loaded, env, profile=profile, notice=lambda text: stderr.print(text, style="cyan")
    )
    results = detect_drift(loaded, request, connection.stacks, drift_detector(connection), redact)
    if as_json:
        print_plain(json.dumps(as_document(env, results), indent=2))
    else:
        for line in text_lines(results):
            stdout.print(line, markup=False, highlight=False)
    raise typer.Exit(drift_exit_code(results))


def text_lines(results: list[WorkflowDrift]) -> list[str]:
    lines = []
    for result in results:
        reason = f" — {result.reason}" if result.reason else ""
        lines.append(f"{result.workflow}: {result.status} ({result.stack}){reason}")
        for resource in result.resources:
            lines.append(f"  {resource.logical_id} ({resource.resource_type}): {resource.status}")
            lines += [
                f"    {p.path}: expected {p.expected}, actual {p.actual} ({p.kind})"
                for p in resource.properties
            ]
    return lines


def as_document(env: str, results: list[WorkflowDrift]) -> dict[str, Any]:
    """The stable `--json` object: `{"env", "drifted", "workflows": {W: {...}}}`."""
    return {
        "env": env,
        "drifted": any(r.status == "DRIFTED" for r in results),
        "workflows": {
            r.workflow: {
                "stack": r.stack,
                "status": str(r.status),
                "reason": r.reason or None,
                "resources": [
                    {
                        "logical_id": x.logical_id,
                        "type": x.resource_type,
                        "status": x.status,
                        "properties": [
                            {
                                "path": p.path,
                                "expected": p.expected,
                                "actual": p.actual,
                                "difference": p.kind,
                            }
                            for p in x.properties
                        ],
                    }
                    for x in r.resources
                ],
            }
            for r in results
        },
    }
