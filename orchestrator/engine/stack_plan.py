"""Observed stack status -> what the deploy must do: one pure, tested table (see STYLE.md).

CloudFormation leaves a stack in one of a few dozen statuses; each deploy decision starts here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class StackAction(StrEnum):
    CREATE = "create"  # no stack: a CREATE change set
    RECREATE = "recreate"  # a dead stack: delete it, then create
    UPDATE = "update"  # a settled stack: an UPDATE change set
    WAIT = "wait"  # another operation runs: wait for it, then decide again
    FAIL = "fail"  # a state only a person can resolve


@dataclass(frozen=True)
class StackDecision:
    action: StackAction
    guidance: str = ""


# Stacks in these states hold nothing worth keeping: CloudFormation itself only allows deleting
# them (ROLLBACK_COMPLETE), or they are a change set's placeholder with no resources yet.
_DEAD = {"ROLLBACK_COMPLETE", "ROLLBACK_FAILED"}
_SETTLED = {
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_COMPLETE",
}
_GUIDANCE = {
    "UPDATE_ROLLBACK_FAILED": (
        "the stack is UPDATE_ROLLBACK_FAILED: fix the resource named in its events, then run "
        "'aws cloudformation continue-update-rollback --stack-name {stack}' (with "
        "--resources-to-skip for resources that cannot be rolled back) and deploy again"
    ),
    "DELETE_FAILED": (
        "the stack is DELETE_FAILED: remove what blocks the deletion (see its events), then "
        "run 'firefly delete' for it and deploy again"
    ),
    "IMPORT_ROLLBACK_FAILED": (
        "the stack is IMPORT_ROLLBACK_FAILED: fix the resource named in its events and roll "
        "back with 'aws cloudformation continue-update-rollback --stack-name {stack}'"
    ),
    "CREATE_FAILED": (
        "the stack is CREATE_FAILED with rollback disabled: delete it with 'firefly delete "
        "--only {workflow}' and deploy again"
    ),
}


def decide(
    status: str | None, *, has_resources: bool = True, stack: str = "", workflow: str = ""
) -> StackDecision:
    """What to do with a stack observed in `status` (None: no such stack)."""
    if status is None or status == "DELETE_COMPLETE":
        return StackDecision(StackAction.CREATE)
    if status == "REVIEW_IN_PROGRESS":
        # A change set was created but never executed: an empty placeholder to replace; with
        # resources (an IMPORT in review) it is someone's pending work.
        if has_resources:
            return StackDecision(
                StackAction.FAIL,
                "the stack is REVIEW_IN_PROGRESS with "
                "resources: execute or delete its pending change set first",
            )
        return StackDecision(StackAction.RECREATE)
    if status in _DEAD:
        return StackDecision(StackAction.RECREATE)
    if status in _SETTLED:
        return StackDecision(StackAction.UPDATE)
    if status.endswith("_IN_PROGRESS"):
        return StackDecision(StackAction.WAIT)
    guidance = _GUIDANCE.get(
        status,
        f"the stack is {status}: resolve it in the CloudFormation "
        "console (see its events), then deploy again",
    )
    return StackDecision(StackAction.FAIL, guidance.format(stack=stack, workflow=workflow))
