"""Drift detection over one CloudFormation client: DetectStackDrift, then its status polled at
a growing pace until DETECTION_COMPLETE, then the drifted resources read.

DETECTION_FAILED still carries the resources it checked (DescribeStackDriftDetectionStatus,
CloudFormation API Reference: detection can fail on some resources only), so its findings are
kept and its reason shown.
"""

from __future__ import annotations

import threading
from typing import Any

from orchestrator.aws.errors import call
from orchestrator.engine.drift import DriftStatus, PropertyDrift, ResourceDrift, StackDrift

SERVICE = "CloudFormation"
DRIFTED = ["MODIFIED", "DELETED"]


class CloudFormationDrifts:
    """Implements `orchestrator.engine.drift.Drifts` over one boto3 CloudFormation client."""

    def __init__(
        self, client: Any, *, first_interval: float = 0.2, max_interval: float = 5.0
    ) -> None:
        self._client = client
        self._first, self._max = first_interval, max_interval
        self._pause = threading.Event()  # never set: a pause that stays interruptible

    def detect(self, stack: str) -> StackDrift:
        started = call(self._client.detect_stack_drift, StackName=stack, service=SERVICE)
        status = self._completed(started["StackDriftDetectionId"])
        reason = status.get("DetectionStatusReason") or ""
        if status["DetectionStatus"] != "DETECTION_FAILED":
            reason = ""
        found = status.get("StackDriftStatus")
        if found not in ("DRIFTED", "IN_SYNC"):
            return StackDrift(DriftStatus.NOT_CHECKED, reason=reason or f"drift status {found}")
        resources = self._drifted(stack) if found == "DRIFTED" else ()
        return StackDrift(DriftStatus(found), resources, reason)

    def _completed(self, detection_id: str) -> dict[str, Any]:
        interval = self._first
        while True:
            status: dict[str, Any] = call(
                self._client.describe_stack_drift_detection_status,
                StackDriftDetectionId=detection_id,
                service=SERVICE,
            )
            if status["DetectionStatus"] != "DETECTION_IN_PROGRESS":
                return status
            self._pause.wait(interval)
            interval = min(interval * 2, self._max)

    def _drifted(self, stack: str) -> tuple[ResourceDrift, ...]:
        found: list[ResourceDrift] = []
        arguments: dict[str, Any] = {
            "StackName": stack,
            "StackResourceDriftStatusFilters": DRIFTED,
        }
        while True:
            page = call(self._client.describe_stack_resource_drifts, **arguments, service=SERVICE)
            found += [_resource(entry) for entry in page["StackResourceDrifts"]]
            if not page.get("NextToken"):
                return tuple(found)
            arguments["NextToken"] = page["NextToken"]


def _resource(entry: dict[str, Any]) -> ResourceDrift:
    return ResourceDrift(
        entry["LogicalResourceId"],
        entry["ResourceType"],
        entry["StackResourceDriftStatus"],
        tuple(
            PropertyDrift(
                d["PropertyPath"], d["ExpectedValue"], d["ActualValue"], d["DifferenceType"]
            )
            for d in entry.get("PropertyDifferences") or []
        ),
    )
