"""`firefly status` and `firefly outputs`: what the environment holds now, in one sweep."""

from __future__ import annotations

import json
import os
from typing import Annotated

import typer

from orchestrator.cli.console import print_plain, print_rows, redactor_for, stderr, stdout
from orchestrator.cli.deploy import EnvOption, ProfileOption
from orchestrator.cli.options import DEFAULT_MANIFEST, ManifestOption
from orchestrator.errors import OrchestratorError

STATUS_EXAMPLE = "Example: firefly status --env local"
OUTPUTS_EXAMPLE = "Example: firefly outputs --env local api-gateway --json"


def status(
    env: EnvOption, manifest: ManifestOption = DEFAULT_MANIFEST, profile: ProfileOption = None
) -> None:
    """Each workflow's stack and its CloudFormation status in the environment, and who holds
    its lock."""

    from orchestrator.connect import lock_store, open_environment
    from orchestrator.engine.unlock import lock_status
    from orchestrator.validation import load_checked

    loaded = load_checked(manifest)
    redact = redactor_for(loaded, env, os.environ)
    connection = open_environment(
        loaded, env, profile=profile, notice=lambda text: stderr.print(text, style="cyan")
    )
    stacks = {
        name: loaded.stack_name(name, env) for name, w in loaded.workflows.items() if w.has_stack
    }
    observed = connection.stacks.snapshot(sorted(stacks.values()))
    rows = []
    for name, stack in stacks.items():
        snapshot = observed.get(stack)
        rows.append((name, redact(stack), snapshot.status if snapshot else "not deployed"))
    print_rows(stdout, ("workflow", "stack", "status"), rows)
    stdout.print(redact(f"lock: {lock_status(lock_store(loaded, connection), env)}"))


def outputs(
    env: EnvOption,
    workflow: Annotated[str, typer.Argument(help="The workflow whose stack outputs to show.")],
    manifest: ManifestOption = DEFAULT_MANIFEST,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
    profile: ProfileOption = None,
) -> None:
    """A stack's outputs."""
    from orchestrator.connect import open_environment
    from orchestrator.manifest.stack_workflows import require_stack_workflow
    from orchestrator.validation import load_checked

    loaded = load_checked(manifest)
    require_stack_workflow(loaded, workflow, named_by=workflow, missing=" and no outputs")
    redactor = redactor_for(loaded, env, os.environ)
    connection = open_environment(
        loaded, env, profile=profile, notice=lambda text: stderr.print(text, style="cyan")
    )
    stack = loaded.stack_name(workflow, env)
    snapshot = connection.stacks.snapshot([stack]).get(stack)
    if snapshot is None:
        raise OrchestratorError(
            f"{workflow}: stack {stack} does not exist in {env}; deploy it "
            f"with 'firefly deploy --env {env} --only {workflow}'"
        )
    shown = redactor.mapping(snapshot.outputs)
    if as_json:
        print_plain(json.dumps(shown, indent=2, sort_keys=True))
        return
    for key, value in sorted(shown.items()):
        stdout.print(f"{key}\t{value}")
