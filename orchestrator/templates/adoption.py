"""Checks that keep data safe: adopted resources are importable, data resources say their fate."""

from __future__ import annotations

from collections.abc import Iterator

from orchestrator.errors import Problem
from orchestrator.manifest import Manifest, Workflow
from orchestrator.manifest.models import Adoption
from orchestrator.templates.model import Resource, Template
from orchestrator.templates.stacks import EVERY_WORKFLOW, Scope, parsed

# The resource types this system may adopt with an IMPORT change set, each with the properties
# that identify an existing resource (CloudFormation's "resource identifier"). Types whose
# identifier is not a template property (a user pool's generated id) cannot be checked here,
# so they are left out on purpose.
IMPORTABLE = {
    "AWS::DynamoDB::Table": ("TableName",),
    "AWS::S3::Bucket": ("BucketName",),
    "AWS::Logs::LogGroup": ("LogGroupName",),
    "AWS::Lambda::Function": ("FunctionName",),
}
# Resources that hold data: deleting the stack must be a decision written in the template.
DATA_TYPES = ("AWS::DynamoDB::Table", "AWS::S3::Bucket")


def check_adoptions(manifest: Manifest, scope: Scope = EVERY_WORKFLOW) -> Iterator[Problem]:
    """Every `adopt:` entry names an importable, retained resource with matching identifiers."""
    for workflow, template in parsed(manifest, scope):
        if not workflow.adopt:
            continue
        resources = template.resources()
        for adoption in workflow.adopt:
            yield from _check_adoption(manifest, workflow, adoption, resources, template)
        yield from _unadopted(manifest, workflow, resources, template)


def _check_adoption(
    manifest: Manifest,
    workflow: Workflow,
    adoption: Adoption,
    resources: dict[str, Resource],
    template: Template,
) -> Iterator[Problem]:
    field = f"workflows.{workflow.name}.adopt.{adoption.logical_id}"

    def problem(message: str) -> Problem:
        return Problem(manifest.display, adoption.line, field, message)

    resource = resources.get(adoption.logical_id)
    if resource is None:
        yield problem(
            f"{template.display} has no resource {adoption.logical_id}; it has: "
            f"{', '.join(sorted(resources)) or 'none'}"
        )
        return
    keys = IMPORTABLE.get(resource.type)
    if keys is None:
        yield problem(
            f"{resource.type} cannot be adopted; firefly imports {', '.join(sorted(IMPORTABLE))}"
        )
        return
    if resource.attributes.get("DeletionPolicy") != "Retain":
        yield problem(
            f"{adoption.logical_id} needs 'DeletionPolicy: Retain' in "
            f"{template.display}: an IMPORT requires a DeletionPolicy, and an adopted "
            "resource must outlive its stack"
        )
    if set(adoption.identifier) != set(keys):
        yield problem(
            f"{resource.type} is identified by {', '.join(keys)}; give exactly "
            f"{{{', '.join(f'{k}: ...' for k in keys)}}}"
        )
        return
    for key in keys:
        written = resource.properties.get(key)
        if written != adoption.identifier[key]:
            shown = repr(written) if isinstance(written, str) else "not a fixed name"
            yield problem(
                f"{key} is {adoption.identifier[key]!r} here but {shown} in "
                f"{template.display}; an adopted resource needs the same static name "
                "in both"
            )


def _unadopted(
    manifest: Manifest, workflow: Workflow, resources: dict[str, Resource], template: Template
) -> Iterator[Problem]:
    # An IMPORT change set cannot create anything: every other resource would fail it.
    adopted = {adoption.logical_id for adoption in workflow.adopt}
    for resource in resources.values():
        if resource.logical_id not in adopted:
            yield Problem(
                template.display,
                resource.line,
                f"Resources.{resource.logical_id}",
                f"workflow {workflow.name} adopts resources, and an IMPORT cannot "
                f"create {resource.logical_id}; adopt it too or move it to another "
                "stack",
            )


def check_data_retention(manifest: Manifest, scope: Scope = EVERY_WORKFLOW) -> Iterator[Problem]:
    """Every table and bucket states its DeletionPolicy instead of inheriting Delete silently."""
    for _, template in parsed(manifest, scope):
        for resource in template.resources().values():
            if resource.type in DATA_TYPES and "DeletionPolicy" not in resource.attributes:
                yield Problem(
                    template.display,
                    resource.line,
                    f"Resources.{resource.logical_id}",
                    f"{resource.type} holds data: state 'DeletionPolicy: Retain' "
                    "(kept when the stack goes) or 'DeletionPolicy: Delete'",
                )
