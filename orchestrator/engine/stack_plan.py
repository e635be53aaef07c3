"""Observed stack status -> what the deploy must do: one pure, tested table (see STYLE.md).

CloudFormation leaves a stack in one of a few dozen statuses; each deploy decision starts here.
Stacks a `--no-rollback` deploy left CREATE_FAILED or UPDATE_FAILED are updated: CloudFormation
keeps what was provisioned and retries what failed on the next update ("Choose how to handle
failures when provisioning resources", CloudFormation User Guide, stack-failure-options).
"""

from __future__ import annotations

from collections.abc import Sequence
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
# Left by a deploy with rollback disabled: the resources stay, the next update continues.
_PRESERVED = {"CREATE_FAILED", "UPDATE_FAILED"}
_GUIDANCE = {
    "UPDATE_ROLLBACK_FAILED": (
        "the stack is UPDATE_ROLLBACK_FAILED: fix the resource named in its events, then run "
        "'firefly rollback --env {env} --only {workflow}' (with --skip-resource for resources "
        "that cannot be rolled back) and deploy again"
    ),
    "DELETE_FAILED": (
        "the stack is DELETE_FAILED: remove what blocks the deletion (see its events), then "
        "run 'firefly delete' for it and deploy again"
    ),
    "IMPORT_ROLLBACK_FAILED": (
        "the stack is IMPORT_ROLLBACK_FAILED: fix the resource named in its events and roll "
        "back with 'aws cloudformation continue-update-rollback --stack-name {stack}'"
    ),
}


def decide(
    status: str | None,
    *,
    has_resources: bool = True,
    stack: str = "",
    workflow: str = "",
    env: str = "",
    failed: Sequence[str] = (),
) -> StackDecision:
    """What to do with a stack observed in `status` (None: no such stack); `failed`: the
    resources whose rollback failed, named in the guidance of UPDATE_ROLLBACK_FAILED."""
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
    if status in _SETTLED or status in _PRESERVED:
        return StackDecision(StackAction.UPDATE)
    if status.endswith("_IN_PROGRESS"):
        return StackDecision(StackAction.WAIT)
    guidance = _GUIDANCE.get(
        status,
        f"the stack is {status}: resolve it in the CloudFormation "
        "console (see its events), then deploy again",
    )
    if status == "UPDATE_ROLLBACK_FAILED" and failed:
        return StackDecision(StackAction.FAIL, _rollback_failed(failed, env, workflow))
    return StackDecision(StackAction.FAIL, guidance.format(stack=stack, workflow=workflow, env=env))


def _rollback_failed(failed: Sequence[str], env: str, workflow: str) -> str:
    command = f"firefly rollback --env {env} --only {workflow}"
    skips = " ".join(f"--skip-resource {logical_id}" for logical_id in failed)
    return (
        f"the stack is UPDATE_ROLLBACK_FAILED: the rollback of {', '.join(failed)} failed; "
        f"fix them (see the stack events) and run '{command}', or skip them with "
        f"'{command} {skips}', then deploy again"
    )
