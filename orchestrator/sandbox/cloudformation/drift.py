"""Drift of one resource: its template properties compared with the live resource, as AWS does.

Only properties set in the template are compared, so a default the service filled in is not drift
("Only resource properties explicitly defined in the stack template are checked for drift",
StackResourceDrift, CloudFormation API Reference). A difference is NOT_EQUAL (the value differs),
REMOVE (the live resource lacks what the template sets) or ADD (a list holds an extra element),
each at a fully qualified path such as `/TimeToLiveSpecification/Enabled` (PropertyDifference).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from orchestrator.sandbox.cloudformation.drift_readers import READERS
from orchestrator.sandbox.cloudformation.model import Resource, Stack


@dataclass(frozen=True)
class Difference:
    path: str
    expected: Any
    actual: Any
    kind: str  # ADD | REMOVE | NOT_EQUAL


@dataclass(frozen=True)
class ResourceDrift:
    logical_id: str
    physical_id: str
    resource_type: str
    status: str  # IN_SYNC | MODIFIED | DELETED | NOT_CHECKED
    expected: dict[str, Any] | None = None
    actual: dict[str, Any] | None = None
    differences: tuple[Difference, ...] = ()
    epoch: float = field(default_factory=time.time)


def detect(account_id: str, region: str, resource: Resource) -> ResourceDrift:
    """The drift of `resource` now."""
    where = (resource.logical_id, resource.physical_id, resource.resource_type)
    reader = READERS.get(resource.resource_type)
    if reader is None:
        return ResourceDrift(*where, "NOT_CHECKED")
    expected = resource.properties
    live = reader(account_id, region, resource.physical_id, expected)
    if live is None:
        return ResourceDrift(*where, "DELETED", expected)
    # what the template sets and the reader can read; the actual properties are those live
    checked = {k: v for k, v in expected.items() if k in live}
    actual = {k: live[k] for k in checked if live[k] is not None}
    differences = tuple(differences_of(checked, {k: live[k] for k in checked}))
    status = "MODIFIED" if differences else "IN_SYNC"
    return ResourceDrift(*where, status, expected, actual, differences)


def differences_of(expected: Any, actual: Any, path: str = "") -> list[Difference]:
    """The differences of `actual` from `expected`, looking only at what `expected` sets."""
    if actual is None:  # a JSON document's explicit null matches null
        return [] if expected is None else [Difference(path, expected, None, "REMOVE")]
    expected, actual = _documents(expected, actual)
    if isinstance(expected, dict) and isinstance(actual, dict):
        found: list[Difference] = []
        for key, value in expected.items():
            found += differences_of(value, actual.get(key), f"{path}/{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        return _list_differences(*_matched(expected, actual), path)
    if _scalar(expected) != _scalar(actual):
        return [Difference(path, expected, actual, "NOT_EQUAL")]
    return []


def _documents(expected: Any, actual: Any) -> tuple[Any, Any]:
    """A JSON document given as text on one side and as an object on the other, both parsed:
    CloudFormation compares policy documents and state machine definitions as JSON (the service
    normalises their text; schemas declare property transforms so that an equivalent value read
    back is not drift: "Preventing false drift detection results for resource types",
    CloudFormation CLI User Guide)."""
    try:
        if isinstance(expected, str) and isinstance(actual, dict | list):
            return json.loads(expected), actual
        if isinstance(actual, str) and isinstance(expected, dict | list):
            return expected, json.loads(actual)
    except ValueError:
        pass  # not a document: the two differ as they are
    return expected, actual


def _list_differences(expected: list[Any], actual: list[Any], path: str) -> list[Difference]:
    found: list[Difference] = []
    for index, value in enumerate(expected):
        there = actual[index] if index < len(actual) else None
        found += differences_of(value, there, f"{path}/{index}")
    for index in range(len(expected), len(actual)):
        found.append(Difference(f"{path}/{index}", None, actual[index], "ADD"))
    return found


def _matched(expected: list[Any], actual: list[Any]) -> tuple[list[Any], list[Any]]:
    """Keyed lists (Tags) matched by key, since their order is not configuration: the actual
    elements in the expected ones' order (None where missing), then the extra ones."""
    if not all(isinstance(i, dict) and "Key" in i for i in expected + actual):
        return expected, actual
    by_key = {i["Key"]: i for i in actual}
    wanted = {i["Key"] for i in expected}
    extra = [i for i in actual if i["Key"] not in wanted]
    return expected, [by_key.get(i["Key"]) for i in expected] + extra


def _scalar(value: Any) -> str:
    """A scalar as CloudFormation compares it: `true` and True, "30" and 30 are equal."""
    if isinstance(value, bool) or str(value).lower() in ("true", "false"):
        return str(value).lower()
    return value if isinstance(value, str) else json.dumps(value)


def shown(value: Any) -> str:
    """A value as a PropertyDifference string: JSON, except a plain string as itself."""
    return value if isinstance(value, str) else json.dumps(value)


def drifted(account_id: str, region: str, stack: Stack) -> dict[str, dict[str, Any]]:
    """Logical id -> live properties of each MODIFIED resource: what a drift-aware change set
    (DeploymentMode REVERT_DRIFT) puts back to the template's values ("Using drift-aware change
    sets", CloudFormation User Guide)."""
    found = {}
    for logical_id, resource in stack.resources.items():
        drift = detect(account_id, region, resource)
        if drift.status == "MODIFIED" and drift.actual is not None:
            found[logical_id] = drift.actual
    return found
