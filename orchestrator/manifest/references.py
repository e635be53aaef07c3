"""Checks across entries: every name a workflow mentions must exist and be usable there."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator

from orchestrator.errors import Problem
from orchestrator.manifest.models import Manifest, Workflow
from orchestrator.manifest.reader import did_you_mean

STACK_NAME = re.compile(r"[A-Za-z][-A-Za-z0-9]{0,127}")
PLACEHOLDERS = ("workflow", "env", "project")


def check_references(manifest: Manifest) -> Iterator[Problem]:
    for workflow in manifest.workflows.values():
        yield from _check_needs(manifest, workflow)
        yield from _check_outputs(manifest, workflow)


def _problem(manifest: Manifest, line: int, field: str, message: str) -> Problem:
    return Problem(manifest.display, line, field, message)


def _unknown(manifest: Manifest, name: str) -> str:
    return f"unknown workflow '{name}'{did_you_mean(name, manifest.workflows)}"


def _check_needs(manifest: Manifest, workflow: Workflow) -> Iterator[Problem]:
    for action, needs in (("deploy", workflow.deploy_needs), ("delete", workflow.delete_needs)):
        for need in needs:
            field = f"workflows.{workflow.name}.{action}.needs.{need.workflow}"
            target = manifest.workflows.get(need.workflow)
            if target is None:
                yield _problem(manifest, need.line, field, _unknown(manifest, need.workflow))
            elif action == "delete" and not target.has_stack:
                yield _problem(
                    manifest,
                    need.line,
                    field,
                    f"'{need.workflow}' is a tests workflow: it has no stack to delete",
                )


def _check_outputs(manifest: Manifest, workflow: Workflow) -> Iterator[Problem]:
    for parameter, ref in workflow.output_refs():
        field = f"workflows.{workflow.name}.parameters.{parameter.name}.output"
        target = manifest.workflows.get(ref.workflow)
        if target is None:
            yield _problem(manifest, parameter.line, field, _unknown(manifest, ref.workflow))
        elif not target.has_stack:
            yield _problem(
                manifest,
                parameter.line,
                field,
                f"'{ref.workflow}' is a tests workflow: it has no stack outputs",
            )
        elif ref.workflow == workflow.name:
            yield _problem(
                manifest,
                parameter.line,
                field,
                "a stack cannot take a parameter from its own outputs",
            )


def check_stack_names(manifest: Manifest, line: int) -> Iterator[Problem]:
    """The stack-name template must give every workflow a distinct, valid stack name."""
    template = manifest.stack_name_template
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        yield _problem(
            manifest, line, "stack_name", f"'{template}' is not a valid template: {error}"
        )
        return
    unknown = sorted(fields - set(PLACEHOLDERS))
    if unknown:
        yield _problem(
            manifest,
            line,
            "stack_name",
            f"unknown placeholder {{{unknown[0]}}} (available: {{workflow}}, {{env}}, {{project}})",
        )
        return
    if "workflow" not in fields:
        yield _problem(
            manifest,
            line,
            "stack_name",
            "must contain {workflow}, or every workflow would share one stack",
        )
        return
    envs = list(manifest.environments) or ["env"]
    for name in manifest.workflows:
        stack = template.format(workflow=name, env=envs[0], project=manifest.project)
        if not STACK_NAME.fullmatch(stack):
            yield _problem(
                manifest,
                line,
                "stack_name",
                f"gives '{stack}' for workflow {name}, not a valid CloudFormation stack "
                "name (a letter, then letters, digits and '-', at most 128)",
            )
            return
