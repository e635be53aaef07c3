"""The rollback actions: RollbackStack and ContinueUpdateRollback (see `rollbacks`)."""

from __future__ import annotations

from typing import Any

from orchestrator.sandbox.cloudformation import errors
from orchestrator.sandbox.cloudformation.model import ENGINE_LOCK, Stack, store_for
from orchestrator.sandbox.cloudformation.rollbacks import continue_rollback, roll_back_failed
from orchestrator.sandbox.cloudformation.stack_api import find, run

ROLLBACK_FROM = frozenset({"CREATE_FAILED", "UPDATE_FAILED"})


def rollback_stack(account_id: str, region: str, request: dict[str, Any]) -> str:
    store = store_for(account_id, region)
    with ENGINE_LOCK:
        stack = find(store, request["StackName"])
        _check_status(stack, ROLLBACK_FROM, "rolled back")
        action = "rollback_create" if stack.status == "CREATE_FAILED" else "rollback_update"
        run(store, stack, account_id, region, action, roll_back_failed)
        return stack.stack_id


def continue_update_rollback(account_id: str, region: str, request: dict[str, Any]) -> None:
    store = store_for(account_id, region)
    with ENGINE_LOCK:
        stack = find(store, request["StackName"])
        _check_status(stack, frozenset({"UPDATE_ROLLBACK_FAILED"}), "continued rolling back")
        skip = frozenset(request.get("ResourcesToSkip") or [])
        # Only resources whose rollback failed may be skipped (ResourcesToSkip, API Reference)
        wrong = sorted(
            lid
            for lid in skip
            if lid not in stack.resources or stack.resources[lid].status != "UPDATE_FAILED"
        )
        if wrong:
            raise errors.validation(
                f"Resources [{', '.join(wrong)}] cannot be skipped: only resources in "
                "UPDATE_FAILED state because their rollback failed can be"
            )
        run(
            store,
            stack,
            account_id,
            region,
            "rollback_update",
            lambda op: continue_rollback(op, skip),
        )


def _check_status(stack: Stack, allowed: frozenset[str], verb: str) -> None:
    status = stack.visible_status()
    if status not in allowed:
        raise errors.validation(
            f"Stack:{stack.stack_id} is in {status} state and can not be {verb}"
        )
