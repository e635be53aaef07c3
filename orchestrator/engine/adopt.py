"""Adopting resources that exist without their stack: seed 001's IMPORT path, in general.

Three paths, as the seed lays them out: the stack exists → a normal deploy; the stack is missing
but the resources exist → an IMPORT change set on the template cut down to those resources and
without Outputs (CloudFormation refuses to create anything, or to change Outputs, in an
import), then a normal deploy that adds the rest; neither exists → a fresh deploy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orchestrator.engine.ports import Adoptions
from orchestrator.errors import OrchestratorError
from orchestrator.manifest.models import Workflow

# CloudFormation's import identifiers for the types this system adopts.
IMPORTABLE = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::Lambda::Function": "FunctionName",
}


@dataclass(frozen=True)
class ImportPlan:
    body: str  # the template cut down to the adopted resources, without Outputs
    resources: list[dict[str, Any]]  # ResourcesToImport


def plan_import(workflow: Workflow, stack: str, adoptions: Adoptions) -> ImportPlan | None:
    """The IMPORT to run before creating `stack`, or None for a fresh create."""
    if not workflow.adopt or workflow.template is None:
        return None
    template = adoptions.document(workflow.template)
    resources = template.get("Resources")
    assert isinstance(resources, dict)
    found = {}
    for adoption in workflow.adopt:
        resource = _resource(workflow, resources, adoption.logical_id)
        _preflight(workflow, adoption.logical_id, resource, adoption.identifier)
        existing = adoptions.find(str(resource["Type"]), adoption.identifier)
        if existing.owner_stack and existing.owner_stack != stack:
            raise OrchestratorError(
                f"{workflow.name}: {adoption.logical_id} is already managed by stack "
                f"{existing.owner_stack}; a resource belongs to one stack only, nothing changed"
            )
        if existing.exists:
            found[adoption.logical_id] = (resource, adoption.identifier)
    if not found:
        return None  # neither stack nor resources: the fresh path
    cut = {key: value for key, value in template.items() if key not in ("Resources", "Outputs")}
    cut["Resources"] = {logical: resource for logical, (resource, _) in found.items()}
    to_import = [
        {
            "ResourceType": resource["Type"],
            "LogicalResourceId": logical,
            "ResourceIdentifier": dict(identifier),
        }
        for logical, (resource, identifier) in found.items()
    ]
    return ImportPlan(json.dumps(cut, separators=(",", ":")), to_import)


def _resource(workflow: Workflow, resources: dict[Any, Any], logical_id: str) -> dict[str, Any]:
    resource = resources.get(logical_id)
    if not isinstance(resource, dict):
        raise OrchestratorError(
            f"{workflow.name}: adopt names {logical_id}, which its template "
            "does not declare; run 'firefly validate'"
        )
    return resource


def _preflight(
    workflow: Workflow, logical_id: str, resource: Mapping[str, Any], identifier: Mapping[str, str]
) -> None:
    """What CloudFormation would refuse, refused first, before any change is made."""
    kind = str(resource.get("Type"))
    where = f"{workflow.name}: cannot adopt {logical_id}"
    if kind not in IMPORTABLE:
        raise OrchestratorError(f"{where}: {kind} is not a type firefly can import")
    if resource.get("DeletionPolicy") != "Retain":
        raise OrchestratorError(
            f"{where}: its template needs 'DeletionPolicy: Retain' (an "
            "import requires a DeletionPolicy, and Retain keeps the data)"
        )
    properties = resource.get("Properties") or {}
    for key, value in identifier.items():
        if properties.get(key) != value:
            raise OrchestratorError(
                f"{where}: the manifest identifies it by {key}={value}, the "
                f"template says {properties.get(key)!r}; make them agree"
            )


def reassert_imported(plan: ImportPlan, adoptions: Adoptions) -> list[str]:
    """After the import: each imported resource set to its template's values where an IMPORT
    left it as found (deletion protection, TTL, streams, tags); what was corrected."""
    template = json.loads(plan.body)
    corrections = []
    for entry in plan.resources:
        logical = str(entry["LogicalResourceId"])
        resource = template["Resources"][logical]
        (physical,) = entry["ResourceIdentifier"].values()
        properties = resource.get("Properties") or {}
        for line in adoptions.reassert(str(resource["Type"]), str(physical), properties):
            corrections.append(f"{logical}: {line}")
    return corrections
