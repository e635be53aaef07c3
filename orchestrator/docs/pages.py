"""One Markdown page per workflow, in the form of the seed pages, and an index page."""

from __future__ import annotations

from orchestrator.docs.diagrams import delete_sequence, deploy_sequence
from orchestrator.docs.sources import code_list, output_lookups
from orchestrator.docs.workflow_steps import (
    delete_description,
    delete_steps,
    deploy_description,
    deploy_steps,
)
from orchestrator.graph import WorkflowGraph
from orchestrator.manifest.models import Manifest, Workflow, WorkflowType
from orchestrator.views import mermaid

NO_PREREQUISITES = "None — this workflow has no prerequisites."
NOT_REQUIRED = "None."


def _table(rows: dict[str, str], empty: str) -> list[str]:
    """Workflow | Reason, every workflow a link to its page, in every such table alike."""
    if not rows:
        return [empty]
    linked = (f"| [{w}]({w}.md) | {r} |" for w, r in rows.items())
    return ["| Workflow | Reason |", "|---|---|", *linked]


def workflow_page(
    manifest: Manifest, deploy: WorkflowGraph, delete: WorkflowGraph, workflow: Workflow
) -> str:
    name = workflow.name
    in_delete = name in delete
    delete_needs = delete.prerequisites(name) if in_delete else {}
    stack = (
        f"`{manifest.stack_name(name)}`"
        if workflow.has_stack
        else "None — a tests workflow deploys no stack."
    )
    lines = [
        f"# {name}",
        "",
        "## Overview",
        "",
        workflow.description,
        "",
        "## CloudFormation Stack",
        "",
        stack,
        "",
        "## Dependencies",
        "",
        "### Deploy Dependencies",
        "",
        *_table(deploy.prerequisites(name), NO_PREREQUISITES),
        "",
        "### Delete Dependencies",
        "",
        *_table(delete_needs, NO_PREREQUISITES),
        "",
        "## Required By",
        "",
        "### Required By Deploy",
        "",
        *_table(deploy.dependents(name), NOT_REQUIRED),
        "",
        "### Required By Delete",
        "",
        *_table(delete.dependents(name) if in_delete else {}, NOT_REQUIRED),
        "",
        *_workflow_section(
            "Deploy Workflow",
            deploy_description(manifest, workflow),
            deploy_steps(manifest, workflow),
            deploy_sequence(manifest, workflow),
        ),
        *_workflow_section(
            "Delete Workflow",
            delete_description(manifest, workflow, bool(delete_needs)),
            delete_steps(manifest, workflow),
            delete_sequence(manifest, workflow) if workflow.has_stack else "",
        ),
        "## Failure Scenarios",
        "",
        "| Scenario | Behavior |",
        "|---|---|",
        *(f"| {s} | {b} |" for s, b in failure_scenarios(manifest, workflow, delete_needs)),
    ]
    return "\n".join(lines) + "\n"


def _workflow_section(title: str, description: str, steps: list[str], sequence: str) -> list[str]:
    lines = [f"## {title}", "", "### Description", "", description, ""]
    if steps:
        lines += ["### Steps", "", *(f"- {step}" for step in steps), ""]
    if sequence:
        lines += ["### Sequence Diagram", "", "```mermaid", sequence, "```", ""]
    return lines


def failure_scenarios(
    manifest: Manifest, workflow: Workflow, delete_needs: dict[str, str]
) -> list[tuple[str, str]]:
    """The failures the graph and manifest predict for this workflow, and what happens."""
    rows = []
    for upstream, keys in output_lookups(workflow).items():
        rows.append(
            (
                f"{code_list(keys)} lookup from `{upstream}` fails",
                f"describe-stacks of `{manifest.stack_name(upstream)}` returns an error or "
                "the output key is absent; the workflow fails before changing anything. "
                f"The `{upstream}` stack must be fully deployed before this workflow runs.",
            )
        )
    for adoption in workflow.adopt:
        rows.append(
            (
                f"`{adoption.logical_id}` exists, stack does not",
                "The deploy runs the import path to adopt it into CloudFormation.",
            )
        )
    if delete_needs:
        rows.append(
            (
                "Dependent stacks not deleted first",
                f"firefly deletes {code_list(list(delete_needs))} first, in delete-graph "
                "order; deleting this stack while they exist fails.",
            )
        )
    if workflow.has_stack:
        rows.append(
            (
                "A resource fails to create, update or delete",
                "The workflow fails with the first failed resource and its reason from the "
                "stack events; workflows that depend on it are skipped.",
            )
        )
    else:
        rows.append(
            (
                "A test fails",
                "The workflow fails with the failing tests; nothing is "
                "rolled back, the deployed stacks stay as they are.",
            )
        )
    return rows


def index_page(manifest: Manifest, deploy: WorkflowGraph, delete: WorkflowGraph) -> str:
    types = {name: w.type for name, w in manifest.workflows.items()}
    lines = [
        f"# {manifest.project} workflows",
        "",
        f"Generated by `firefly docs` from `{manifest.path.name}`; do not edit by hand.",
        "",
        "| Workflow | Type | Stack | Deploy level |",
        "|---|---|---|---|",
    ]
    level_of = {w: i + 1 for i, level in enumerate(deploy.levels()) for w in level}
    for name in deploy.order():
        workflow = manifest.workflows[name]
        stack = f"`{manifest.stack_name(name)}`" if workflow.type is not WorkflowType.TESTS else "—"
        row = f"| [{name}]({name}.md) | {workflow.type.value} | {stack} | {level_of[name]} |"
        lines.append(row)
    lines += [
        "",
        "## Deploy graph",
        "",
        "```mermaid",
        mermaid(deploy, types).rstrip(),
        "```",
        "",
        "## Delete graph",
        "",
        "```mermaid",
        mermaid(delete, types).rstrip(),
        "```",
    ]
    return "\n".join(lines) + "\n"
