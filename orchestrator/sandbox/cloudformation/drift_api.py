"""The drift actions: DetectStackDrift, DescribeStackDriftDetectionStatus,
DescribeStackResourceDrifts and DetectStackResourceDrift (see `drift`).

A detection is computed at once, but like a stack operation it shows DETECTION_IN_PROGRESS until
the stack's latency has passed ("Detect drift on an entire CloudFormation stack", CloudFormation
User Guide: detection runs asynchronously and is polled through its detection id).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from orchestrator.sandbox.cloudformation import errors
from orchestrator.sandbox.cloudformation.drift import ResourceDrift, detect, shown
from orchestrator.sandbox.cloudformation.model import ENGINE_LOCK, Stack, at, now, store_for
from orchestrator.sandbox.cloudformation.stack_api import find, latency_of

DRIFTED_STATUSES = frozenset({"MODIFIED", "DELETED"})
# what a detection skips: resources not made, or being removed (AWS checks provisioned ones only)
UNCHECKABLE = frozenset({"CREATE_FAILED", "DELETE_COMPLETE", "DELETE_IN_PROGRESS"})


@dataclass
class Detection:
    detection_id: str
    stack_id: str
    results: tuple[ResourceDrift, ...]
    started: datetime = field(default_factory=now)
    ready_at: float = 0.0

    def complete(self) -> bool:
        return time.time() >= self.ready_at

    def stack_drift_status(self) -> str:
        if not self.complete():
            return "NOT_CHECKED"
        return "DRIFTED" if self.drifted_count() else "IN_SYNC"

    def drifted_count(self) -> int:
        return sum(1 for r in self.results if r.status in DRIFTED_STATUSES)


def detect_stack_drift(account_id: str, region: str, request: dict[str, Any]) -> str:
    store = store_for(account_id, region)
    with ENGINE_LOCK:
        stack = find(store, request["StackName"])
        if stack.visible_status().endswith("_IN_PROGRESS"):
            raise errors.validation(
                f"Drift detection cannot be performed on stack [{stack.name}] while it is "
                f"in {stack.visible_status()} state"
            )
        wanted = set(request.get("LogicalResourceIds") or stack.resources)
        results = tuple(
            detect(account_id, region, resource)
            for lid, resource in stack.resources.items()
            if lid in wanted and resource.status not in UNCHECKABLE
        )
        detection = Detection(str(uuid.uuid4()), stack.stack_id, results)
        detection.ready_at = time.time() + latency_of(stack.template)
        store.drift_detections[detection.detection_id] = detection
        stack.drift = detection
        return detection.detection_id


def detection_status(account_id: str, region: str, detection_id: str) -> dict[str, Any]:
    with ENGINE_LOCK:
        detection = store_for(account_id, region).drift_detections.get(detection_id)
    if detection is None:
        raise errors.validation(f"Drift detection id [{detection_id}] does not exist")
    shown_status: dict[str, Any] = {
        "StackId": detection.stack_id,
        "StackDriftDetectionId": detection.detection_id,
        "StackDriftStatus": detection.stack_drift_status(),
        "DetectionStatus": "DETECTION_COMPLETE"
        if detection.complete()
        else "DETECTION_IN_PROGRESS",
        "Timestamp": detection.started,
    }
    if detection.complete():
        shown_status["DriftedStackResourceCount"] = detection.drifted_count()
    return shown_status


def resource_drifts(account_id: str, region: str, request: dict[str, Any]) -> list[dict[str, Any]]:
    with ENGINE_LOCK:
        stack = find(store_for(account_id, region), request["StackName"])
    detection = stack.drift
    if detection is None or not detection.complete():
        return []
    wanted = set(request.get("StackResourceDriftStatusFilters") or [])
    return [
        render_resource_drift(stack, r)
        for r in detection.results
        if not wanted or r.status in wanted
    ]


def detect_resource_drift(account_id: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    with ENGINE_LOCK:
        stack = find(store_for(account_id, region), request["StackName"])
        logical_id = request["LogicalResourceId"]
        resource = stack.resources.get(logical_id)
        if resource is None:
            raise errors.validation(f"Resource {logical_id} does not exist for stack {stack.name}")
        return render_resource_drift(stack, detect(account_id, region, resource))


def render_resource_drift(stack: Stack, drift: ResourceDrift) -> dict[str, Any]:
    """A StackResourceDrift (CloudFormation API Reference): the properties as JSON strings."""
    import json

    rendered: dict[str, Any] = {
        "StackId": stack.stack_id,
        "LogicalResourceId": drift.logical_id,
        "PhysicalResourceId": drift.physical_id,
        "ResourceType": drift.resource_type,
        "StackResourceDriftStatus": drift.status,
        "Timestamp": at(drift.epoch),
        "PropertyDifferences": [
            {
                "PropertyPath": d.path,
                "ExpectedValue": shown(d.expected),
                "ActualValue": shown(d.actual),
                "DifferenceType": d.kind,
            }
            for d in drift.differences
        ],
    }
    if drift.status not in ("DELETED", "NOT_CHECKED"):
        rendered["ExpectedProperties"] = json.dumps(drift.expected)
        rendered["ActualProperties"] = json.dumps(drift.actual)
    return rendered


def drift_information(stack: Stack) -> dict[str, Any]:
    """A stack's DriftInformation: the status of its last completed detection."""
    detection = stack.drift
    if detection is None or not detection.complete():
        return {"StackDriftStatus": "NOT_CHECKED"}
    return {
        "StackDriftStatus": detection.stack_drift_status(),
        "LastCheckTimestamp": detection.started,
    }
