"""Rolling a stack back to its last stable state, and what is left when that fails.

An update that fails rolls back at once unless rollback was disabled (ExecuteChangeSet
`DisableRollback`): then the stack stays UPDATE_FAILED (or CREATE_FAILED) with what it made,
until RollbackStack returns it to its last stable state or deletes what a first create made
("Rolls back the specified stack to the last known stable state from CREATE_FAILED or
UPDATE_FAILED", RollbackStack, CloudFormation API Reference). A resource that cannot be put back
(its previous self was deleted outside CloudFormation) leaves the stack UPDATE_ROLLBACK_FAILED;
ContinueUpdateRollback retries, and the resources named in ResourcesToSkip are marked
UPDATE_COMPLETE without being touched ("CloudFormation sets the status of the specified
resources to UPDATE_COMPLETE and continues to roll back the stack", ContinueUpdateRollback,
CloudFormation API Reference).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from orchestrator.sandbox.cloudformation.model import Resource, Stable

if TYPE_CHECKING:
    from orchestrator.sandbox.cloudformation.operations import Operation

SKIPPED = "Resource skipped during the update rollback (ResourcesToSkip)"


def roll_back_to(op: Operation, stable: Stable, skip: frozenset[str] = frozenset()) -> None:
    """Put back every resource changed since `stable`, then delete those added since; the stack
    ends UPDATE_ROLLBACK_COMPLETE, or UPDATE_ROLLBACK_FAILED naming what could not be put back."""
    stack = op.stack
    failed = []
    for logical_id, old in stable.resources.items():
        current = stack.resources.get(logical_id)
        if current is None or _unchanged(current, old):
            continue
        if logical_id in skip:
            kept = replace(
                current, definition=old.definition, properties=old.properties, reason=SKIPPED
            )
            stack.resources[logical_id] = replace(kept, status="UPDATE_COMPLETE")
            stack.event(kept, "UPDATE_COMPLETE", SKIPPED)
            continue
        why = op.provisioner.update(current, old.definition, old.properties)
        if why is not None:
            current.status, current.reason = "UPDATE_FAILED", why
            failed.append(logical_id)
    if failed:
        stack.stable = stable  # ContinueUpdateRollback returns to the same state
        op.finish(
            "UPDATE_ROLLBACK_FAILED",
            f"The following resource(s) failed to update: [{', '.join(failed)}]. ",
        )
        return
    stack.event(None, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    op.delete_all([lid for lid in stack.resources if lid not in stable.resources])
    stack.outputs = list(stable.outputs)
    stack.stable = None
    op.finish("UPDATE_ROLLBACK_COMPLETE")


def _unchanged(current: Resource, old: Resource) -> bool:
    return current is old or (
        current.resource_type == old.resource_type and current.properties == old.properties
    )


def roll_back_failed(op: Operation) -> None:
    """RollbackStack of a CREATE_FAILED or UPDATE_FAILED stack."""
    stack = op.stack
    if stack.status == "CREATE_FAILED":  # no stable state: what the create made goes
        op.begin("ROLLBACK_IN_PROGRESS", "User Initiated")
        failed = op.delete_all(list(stack.resources))
        stack.outputs = []
        if failed:
            op.finish(
                "ROLLBACK_FAILED",
                f"The following resource(s) failed to delete: [{', '.join(failed)}]. ",
            )
            return
        op.finish("ROLLBACK_COMPLETE")
        return
    stable = stack.stable or Stable(dict(stack.resources), list(stack.outputs))
    op.begin("UPDATE_ROLLBACK_IN_PROGRESS", "User Initiated")
    roll_back_to(op, stable)


def continue_rollback(op: Operation, skip: frozenset[str]) -> None:
    """ContinueUpdateRollback of an UPDATE_ROLLBACK_FAILED stack."""
    stack = op.stack
    stable = stack.stable or Stable(dict(stack.resources), list(stack.outputs))
    op.begin("UPDATE_ROLLBACK_IN_PROGRESS", "User Initiated")
    roll_back_to(op, stable, skip)
