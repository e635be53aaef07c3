"""The Deploy and Delete Workflow sections: what firefly does for one workflow, step by step."""

from __future__ import annotations

from orchestrator.docs.sources import code_list, describe_source, output_lookups
from orchestrator.manifest.models import Manifest, Workflow, WorkflowType
from orchestrator.templates.checks import SOURCE_PROPERTIES
from orchestrator.templates.stacks import Scope, parsed

CREDENTIALS = "Configure AWS credentials (the environment's account and region)."


def deploy_description(manifest: Manifest, workflow: Workflow) -> str:
    lookups = output_lookups(workflow)
    looked_up = ""
    if lookups:
        parts = [
            f"{code_list(keys)} from the `{manifest.stack_name(w)}` stack outputs"
            for w, keys in lookups.items()
        ]
        looked_up = "Looks up " + "; ".join(parts) + ", then "
    stack = manifest.stack_name(workflow.name)
    if workflow.type is WorkflowType.TESTS:
        return (
            "Runs the integration suite against the deployed environment once every "
            "workflow in Deploy Dependencies has been deployed."
        )
    if workflow.type is WorkflowType.SAM:
        action = (
            "builds the Lambda sources and deploys"
            if looked_up
            else "Builds the Lambda sources and deploys"
        )
        return f"{looked_up}{action} the `{stack}` stack with SAM."
    action = "deploys" if looked_up else "Deploys"
    text = f"{looked_up}{action} the `{stack}` CloudFormation stack."
    if workflow.adopt:
        text += (
            " The deploy includes import logic for the case where a resource already exists "
            "but the stack does not, so that it is adopted without data loss."
        )
    return text


def deploy_steps(manifest: Manifest, workflow: Workflow) -> list[str]:
    if workflow.type is WorkflowType.TESTS:
        return [
            CREDENTIALS,
            "Sign a temporary test user in to the `cognito` stack's user pool (or take "
            "`FIREFLY_INTEGRATION_TOKEN`), as operators sign in.",
            "Run the integration suite against the deployed stacks: the HTTP API called with "
            "the user's token, as clients call it; the user is deleted at the end.",
        ]
    steps = [CREDENTIALS]
    for upstream, keys in output_lookups(workflow).items():
        steps.append(
            f"Look up {code_list(keys)} from the `{manifest.stack_name(upstream)}` stack outputs."
        )
    if workflow.type is WorkflowType.SAM:
        steps.append(
            f"SAM build: {_what_sam_builds(manifest, workflow)} with its `requirements.txt`, "
            "zipped reproducibly and uploaded under content-hash keys."
        )
        verb = "SAM deploy (change set with the template's Transform)"
    else:
        verb = "CloudFormation deploy (change set, execute, wait; no changes counts as success)"
    steps.extend(_adopt_steps(manifest, workflow))
    steps.append(f"{verb} {_with_parameters(manifest, workflow)}")
    return steps


def _what_sam_builds(manifest: Manifest, workflow: Workflow) -> str:
    """Whose sources the build zips, as the template declares them: functions, layers or both."""
    kinds = {
        "layer" if "LayerVersion" in resource.type else "function"
        for _, template in parsed(manifest, Scope(frozenset({workflow.name})))
        for resource in template.resources().values()
        if resource.type in SOURCE_PROPERTIES
    }
    if kinds == {"layer"}:
        return "each layer's sources"
    if kinds == {"layer", "function"}:
        return "each function's and layer's sources"
    return "each function's sources"


def _with_parameters(manifest: Manifest, workflow: Workflow) -> str:
    if not workflow.parameters:
        return "with no parameters."
    described = [f"`{p.name}` ({describe_source(manifest, p.source)})" for p in workflow.parameters]
    return "with parameters: " + ", ".join(described) + "."


def _adopt_steps(manifest: Manifest, workflow: Workflow) -> list[str]:
    if not workflow.adopt:
        return []
    stack = manifest.stack_name(workflow.name)
    steps = [f"Check whether the `{stack}` stack exists."]
    for adoption in workflow.adopt:
        identifier = ", ".join(f"{k} `{v}`" for k, v in adoption.identifier.items())
        steps.append(f"Check whether `{adoption.logical_id}` ({identifier}) exists.")
    steps += [
        "Normal path (stack exists): deploy as usual.",
        "Import path (resource exists, stack does not): create an `IMPORT` change set on the "
        "template without its `Outputs`, execute it and wait for `IMPORT_COMPLETE`, then deploy "
        "again to add the `Outputs`.",
        "Fresh path (neither exists): deploy as usual, creating the resource.",
    ]
    return steps


def delete_description(manifest: Manifest, workflow: Workflow, has_prerequisites: bool) -> str:
    if workflow.type is WorkflowType.TESTS:
        return "None — a tests workflow deploys no stack, so there is nothing to delete."
    stack = manifest.stack_name(workflow.name)
    if workflow.type is WorkflowType.SAM:
        text = (
            f"Runs the equivalent of `sam delete`: removes the `{stack}` stack, then the "
            "artifacts firefly uploaded for it."
        )
    else:
        text = f"Deletes the `{stack}` CloudFormation stack."
    if has_prerequisites:
        text += " Every workflow in Delete Dependencies must be deleted first."
    if workflow.adopt:
        text += " Adopted resources keep their data: their DeletionPolicy retains them."
    return text


def delete_steps(manifest: Manifest, workflow: Workflow) -> list[str]:
    if workflow.type is WorkflowType.TESTS:
        return []
    verb = "SAM delete" if workflow.type is WorkflowType.SAM else "Delete stack"
    return [CREDENTIALS, f"{verb} `{manifest.stack_name(workflow.name)}`."]
