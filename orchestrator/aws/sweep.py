"""Stack statuses at the lowest call count: one paginated sweep, or one call per stack.

A DescribeStacks without a StackName describes every stack of the account and region, "which can
impact performance" (the DescribeStacks API reference, StackName), one page per call; a page ends
at 1 MB of output (NextToken: "If the output exceeds 1 MB in size..."), so how many stacks it
holds is not fixed: moto pages at 50, this project's sandbox does not page at all. A sweep's cost
therefore grows with stacks that have nothing to do with the deploy. `StatusSweep` remembers what
the last full sweep cost (its pages, and at least one call's worth per `STACKS_PER_CALL` stacks
read) and asks for each stack by name whenever that is fewer calls.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Collection
from typing import Any

from botocore.exceptions import ClientError

from orchestrator.aws.errors import is_stack_missing
from orchestrator.engine.ports import StackSnapshot

# What one call reasonably describes: a stack with its outputs, parameters and tags is a few KB
# of XML, so a 1 MB page holds some hundreds; counting a hundred keeps the estimate on the safe
# side, and it charges a server that answers every stack in one page for the work it does.
STACKS_PER_CALL = 100


def to_snapshot(stack: dict[str, Any]) -> StackSnapshot:
    return StackSnapshot(
        name=str(stack["StackName"]),
        status=str(stack["StackStatus"]),
        stack_id=str(stack.get("StackId", "")),
        tags={str(t["Key"]): str(t["Value"]) for t in stack.get("Tags") or []},
        outputs={
            str(o["OutputKey"]): str(o.get("OutputValue", "")) for o in stack.get("Outputs") or []
        },
        reason=str(stack.get("StackStatusReason", "")),
        drift_status=str(stack.get("DriftInformation", {}).get("StackDriftStatus", "NOT_CHECKED")),
        drift_checked=stack.get("DriftInformation", {}).get("LastCheckTimestamp"),
    )


def describe_one(client: Any, name: str) -> StackSnapshot | None:
    """The stack, or None when there is none by that name (a deleted one included)."""
    try:
        stacks = client.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        if is_stack_missing(error):
            return None
        raise
    return to_snapshot(stacks[0]) if stacks else None


class StatusSweep:
    """Statuses of named stacks, by the cheaper of a full sweep and one call per stack; shared
    by a run's status sweep and its poller, so that what one learns the other uses."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._sweep_cost: float | None = None  # calls the last full sweep was worth

    def sweep_cost(self) -> float:
        """Calls a full sweep costs, as last seen; one before any was made."""
        with self._lock:
            return self._sweep_cost if self._sweep_cost is not None else 1.0

    def describe(self, names: Collection[str]) -> dict[str, StackSnapshot]:
        """The named stacks that exist."""
        wanted = set(names)
        if len(wanted) < self.sweep_cost() or len(wanted) == 1:
            return self._one_by_one(wanted)
        return self._full(wanted)

    def _one_by_one(self, wanted: set[str]) -> dict[str, StackSnapshot]:
        found = {}
        for name in sorted(wanted):
            snapshot = describe_one(self._client, name)
            if snapshot is not None:
                found[name] = snapshot
        return found

    def _full(self, wanted: set[str]) -> dict[str, StackSnapshot]:
        found, pages, read = {}, 0, 0
        for page in self._client.get_paginator("describe_stacks").paginate():
            pages += 1
            for stack in page["Stacks"]:
                read += 1
                if stack["StackName"] in wanted:
                    found[str(stack["StackName"])] = to_snapshot(stack)
        with self._lock:
            self._sweep_cost = max(float(pages), math.ceil(read / STACKS_PER_CALL))
        return found
