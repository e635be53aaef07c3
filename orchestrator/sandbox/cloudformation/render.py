"""Stacks, events, resources and change sets in the shapes of the CloudFormation API."""

from __future__ import annotations

import json
import time
from typing import Any

from orchestrator.sandbox.cloudformation import stack_api
from orchestrator.sandbox.cloudformation.drift_api import drift_information
from orchestrator.sandbox.cloudformation.intake import template_body
from orchestrator.sandbox.cloudformation.model import (
    ENGINE_LOCK,
    ChangeSet,
    Resource,
    Stack,
    StackEvent,
    at,
    store_for,
)
from orchestrator.sandbox.cloudformation.template import parse


def _parameters(stack_parameters: dict[str, str], no_echo: frozenset[str]) -> list[dict[str, str]]:
    return [
        {"ParameterKey": k, "ParameterValue": "****" if k in no_echo else v}
        for k, v in stack_parameters.items()
    ]


def _tags(tags: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in (tags or {}).items()]


def _outputs(stack: Stack) -> list[dict[str, Any]]:
    if stack.visible_status() == "CREATE_IN_PROGRESS":
        return []  # outputs appear when the stack is made
    shown = []
    for output in stack.outputs:
        entry: dict[str, Any] = {"OutputKey": output.key, "OutputValue": output.value}
        if output.description:
            entry["Description"] = output.description
        if output.export_name:
            entry["ExportName"] = output.export_name
        shown.append(entry)
    return shown


def stack(s: Stack) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "StackId": s.stack_id,
        "StackName": s.name,
        "CreationTime": s.created,
        "StackStatus": s.visible_status(),
        "DisableRollback": s.disable_rollback,
        "NotificationARNs": s.notification_arns,
        "Capabilities": s.capabilities,
        "Parameters": _parameters(s.parameters, s.no_echo()),
        "Tags": _tags(s.tags),
        "Outputs": _outputs(s),
        "EnableTerminationProtection": s.termination_protection,
        "DriftInformation": drift_information(s),
    }
    optional = {
        "Description": s.description,
        "StackStatusReason": _reason(s),
        "LastUpdatedTime": s.updated,
        "DeletionTime": _deleted(s),
        "RoleARN": s.role_arn,
    }
    shown.update({k: v for k, v in optional.items() if v is not None})
    return shown


def _reason(s: Stack) -> str | None:
    return None if s.visible_status() != s.status else s.status_reason


def _deleted(s: Stack) -> Any:
    return s.deleted if s.visible_status() == "DELETE_COMPLETE" else None


def stack_summary(s: Stack) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "StackId": s.stack_id,
        "StackName": s.name,
        "CreationTime": s.created,
        "StackStatus": s.visible_status(),
        "DriftInformation": drift_information(s),
    }
    optional = {
        "TemplateDescription": s.description,
        "StackStatusReason": _reason(s),
        "LastUpdatedTime": s.updated,
        "DeletionTime": _deleted(s),
    }
    shown.update({k: v for k, v in optional.items() if v is not None})
    return shown


def event(e: StackEvent) -> dict[str, Any]:
    shown = {
        "StackId": e.stack_id,
        "EventId": e.event_id,
        "StackName": e.stack_name,
        "LogicalResourceId": e.logical_id,
        "PhysicalResourceId": e.physical_id,
        "ResourceType": e.resource_type,
        "Timestamp": at(e.epoch),
        "ResourceStatus": e.status,
    }
    if e.reason:
        shown["ResourceStatusReason"] = e.reason
    return shown


def resource_summary(x: Resource) -> dict[str, Any]:
    shown = {
        "LogicalResourceId": x.logical_id,
        "PhysicalResourceId": x.physical_id,
        "ResourceType": x.resource_type,
        "LastUpdatedTimestamp": x.updated,
        "ResourceStatus": x.status,
        "DriftInformation": {"StackResourceDriftStatus": "NOT_CHECKED"},
    }
    if x.reason:
        shown["ResourceStatusReason"] = x.reason
    return shown


def resource(s: Stack, x: Resource) -> dict[str, Any]:
    shown = resource_summary(x)
    shown.update({"StackName": s.name, "StackId": s.stack_id, "Timestamp": x.updated})
    return shown


def exports(account_id: str, region: str) -> list[dict[str, str]]:
    with ENGINE_LOCK:
        found = store_for(account_id, region).exports()
    return [
        {"ExportingStackId": owner, "Name": name, "Value": value}
        for name, (value, owner) in found.items()
    ]


def _changes(c: ChangeSet) -> list[dict[str, Any]]:
    shown = []
    for change in c.changes:
        detail: dict[str, Any] = {
            "Action": change.action,
            "LogicalResourceId": change.logical_id,
            "ResourceType": change.resource_type,
            "Scope": [],
            "Details": [],
        }
        if change.physical_id:
            detail["PhysicalResourceId"] = change.physical_id
        if change.replacement:
            detail["Replacement"] = change.replacement
        shown.append({"Type": "Resource", "ResourceChange": detail})
    return shown


def change_set_summary(c: ChangeSet) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "StackId": c.stack_id,
        "StackName": c.stack_name,
        "ChangeSetId": c.change_set_id,
        "ChangeSetName": c.name,
        "ExecutionStatus": c.visible_execution_status(),
        "Status": c.visible_status(),
        "CreationTime": c.created,
    }
    if c.status_reason and time.time() >= c.ready_at:
        shown["StatusReason"] = c.status_reason
    if c.description:
        shown["Description"] = c.description
    return shown


def change_set(c: ChangeSet) -> dict[str, Any]:
    shown = change_set_summary(c)
    shown.update(
        {
            "Parameters": _parameters(c.parameters, frozenset()),
            "Capabilities": c.capabilities,
            "Tags": _tags(c.tags),
            "Changes": [] if time.time() < c.ready_at else _changes(c),
            "NotificationARNs": [],
            "IncludeNestedStacks": False,
        }
    )
    return shown


def template_summary(account_id: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    if request.get("StackName"):
        stack_body = stack_api.get_template(account_id, region, {"StackName": request["StackName"]})
        body = stack_body
    else:
        body = template_body(request, account_id, None)
    template = parse(body)
    parameters = [
        {
            "ParameterKey": key,
            "ParameterType": str((p or {}).get("Type", "String")),
            "NoEcho": bool((p or {}).get("NoEcho", False)),
            "Description": str((p or {}).get("Description", "")),
            **({"DefaultValue": str(p["Default"])} if "Default" in (p or {}) else {}),
        }
        for key, p in (template.get("Parameters") or {}).items()
    ]
    transforms = template.get("Transform") or []
    summary: dict[str, Any] = {
        "Parameters": parameters,
        "ResourceTypes": sorted(
            {str((d or {}).get("Type")) for d in (template.get("Resources") or {}).values()}
        ),
        "DeclaredTransforms": [transforms] if isinstance(transforms, str) else transforms,
        "Version": str(template.get("AWSTemplateFormatVersion", "2010-09-09")),
    }
    if template.get("Description"):
        summary["Description"] = template["Description"]
    if template.get("Metadata"):
        summary["Metadata"] = json.dumps(template["Metadata"])
    return summary
