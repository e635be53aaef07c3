"""The stack actions: create, update, delete, and the reads (stacks, events, resources, template).

Every action that changes a stack holds `ENGINE_LOCK`, so that eight deployers racing on one name
get one stack and `AlreadyExistsException` for the others.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from orchestrator.sandbox import settings
from orchestrator.sandbox.cloudformation import errors, intake, sam
from orchestrator.sandbox.cloudformation.model import ENGINE_LOCK, Stack, Store, store_for
from orchestrator.sandbox.cloudformation.operations import Operation
from orchestrator.sandbox.cloudformation.template import parse

UPDATABLE = frozenset(
    {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
        # left by a failure with rollback disabled: the next update continues from there
        # ("Choose how to handle failures when provisioning resources", CloudFormation User Guide)
        "CREATE_FAILED",
        "UPDATE_FAILED",
    }
)
PENDING = {
    "create": "CREATE_IN_PROGRESS",
    "update": "UPDATE_IN_PROGRESS",
    "delete": "DELETE_IN_PROGRESS",
    "import_resources": "IMPORT_IN_PROGRESS",
    "rollback_create": "ROLLBACK_IN_PROGRESS",
    "rollback_update": "UPDATE_ROLLBACK_IN_PROGRESS",
}


def stack_id(name: str, account_id: str, region: str) -> str:
    return f"arn:aws:cloudformation:{region}:{account_id}:stack/{name}/{uuid.uuid4()}"


def latency_of(template: dict[str, Any]) -> float:
    return settings.stack_latency(_metadata(template))


def change_set_latency_of(template: dict[str, Any]) -> float:
    return settings.change_set_latency(_metadata(template))


def _metadata(template: dict[str, Any]) -> dict[str, Any] | None:
    metadata = template.get("Metadata")
    return metadata if isinstance(metadata, dict) else None


def run(
    store: Store,
    stack: Stack,
    account_id: str,
    region: str,
    action: str,
    apply: Callable[[Operation], None],
) -> None:
    """Apply an operation now; with latency, clients see it `*_IN_PROGRESS` until it is due, and
    its events spread over that time."""
    started, first = time.time(), len(stack.events)
    apply(Operation(store, stack, account_id, region))
    latency = latency_of(stack.template)
    if latency <= 0:
        stack.pending_status = None
        return
    stack.pending_status, stack.ready_at = PENDING[action], started + latency
    new = stack.events[first:]
    for index, event in enumerate(new):
        event.epoch = started + latency * index / max(len(new) - 1, 1)


def _take(
    request: dict[str, Any],
    account_id: str,
    region: str,
    previous_body: str | None = None,
    previous_parameters: dict[str, str] | None = None,
) -> intake.Intake:
    """The template of a stack action; an invalid SAM template fails the call."""
    try:
        taken = intake.take(request, account_id, region, previous_body, previous_parameters)
    except sam.TransformFailed as exc:
        raise errors.validation(str(exc)) from exc
    # a transform applied without a change set to review must be acknowledged (change sets
    # need no such capability)
    transformed = sam.needs_transform(parse(taken.body))
    if transformed and "CAPABILITY_AUTO_EXPAND" not in (request.get("Capabilities") or []):
        raise errors.InsufficientCapabilities("Requires capabilities : [CAPABILITY_AUTO_EXPAND]")
    return taken


def find(store: Store, name_or_id: str) -> Stack:
    stack = store.live_stack(name_or_id)
    if stack is None:
        raise errors.stack_not_found(name_or_id)
    return stack


def create_stack(account_id: str, region: str, request: dict[str, Any]) -> str:
    taken = _take(request, account_id, region)
    name, store = request["StackName"], store_for(account_id, region)
    with ENGINE_LOCK:
        if store.live_stack(name) is not None:
            raise errors.already_exists(name)
        stack = Stack(
            stack_id(name, account_id, region),
            name,
            "CREATE_IN_PROGRESS",
            template_body=taken.body,
            tags=tags_of(request) or {},
            capabilities=list(request.get("Capabilities") or []),
            notification_arns=list(request.get("NotificationARNs") or []),
            role_arn=request.get("RoleARN"),
            description=taken.desired.template.get("Description"),
            disable_rollback=_true(request.get("DisableRollback")),
            termination_protection=_true(request.get("EnableTerminationProtection")),
        )
        stack.template = taken.desired.template
        store.stacks[stack.stack_id] = stack
        # OnFailure: DO_NOTHING is DisableRollback; DELETE deletes the stack once rolled back
        on_failure = request.get("OnFailure") or ("DO_NOTHING" if stack.disable_rollback else "")
        stack.disable_rollback = on_failure == "DO_NOTHING"
        run(
            store,
            stack,
            account_id,
            region,
            "create",
            lambda op: op.create(taken.desired, stack.disable_rollback),
        )
        if on_failure == "DELETE" and stack.status == "ROLLBACK_COMPLETE":
            run(store, stack, account_id, region, "delete", lambda op: op.delete())
        return stack.stack_id


def update_stack(account_id: str, region: str, request: dict[str, Any]) -> str:
    store = store_for(account_id, region)
    with ENGINE_LOCK:
        stack = find(store, request["StackName"])
        check_updatable(stack)
        taken = _take(request, account_id, region, stack.template_body, stack.parameters)
        tags = tags_of(request)
        if (
            taken.desired.template == stack.template
            and taken.desired.parameters == stack.parameters
            and (tags is None or tags == stack.tags)
        ):
            raise errors.no_updates()
        keep = _true(request.get("DisableRollback"))
        run(
            store,
            stack,
            account_id,
            region,
            "update",
            lambda op: op.update(taken.desired, tags, keep),
        )
        return stack.stack_id


def check_updatable(stack: Stack) -> None:
    status = stack.visible_status()
    if status not in UPDATABLE:
        raise errors.validation(
            f"Stack:{stack.stack_id} is in {status} state and can not be updated."
        )


def delete_stack(account_id: str, region: str, request: dict[str, Any]) -> None:
    store = store_for(account_id, region)
    with ENGINE_LOCK:
        stack = store.live_stack(request["StackName"])
        if stack is None or stack.status == "DELETE_COMPLETE":
            return  # AWS answers success for a stack that is not there
        if stack.termination_protection:
            raise errors.validation(
                f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled"
            )
        retain = frozenset(request.get("RetainResources") or [])
        if retain and stack.status != "DELETE_FAILED":
            raise errors.validation(
                "Invalid operation on stack: RetainResources can only be "
                "specified when a stack is in DELETE_FAILED state"
            )
        for change_set in store.change_sets_of(stack.stack_id):
            del store.change_sets[change_set.change_set_id]
        run(store, stack, account_id, region, "delete", lambda op: op.delete(retain))


def describe_stacks(account_id: str, region: str, name_or_id: str | None) -> list[Stack]:
    store = store_for(account_id, region)
    with ENGINE_LOCK:
        if name_or_id:
            return [find(store, name_or_id)]
        return [s for s in store.stacks.values() if s.is_live()]


def list_stacks(account_id: str, region: str, status_filter: list[str]) -> list[Stack]:
    with ENGINE_LOCK:
        stacks = list(store_for(account_id, region).stacks.values())
    return [s for s in stacks if not status_filter or s.visible_status() in status_filter]


def get_template(account_id: str, region: str, request: dict[str, Any]) -> str:
    store = store_for(account_id, region)
    with ENGINE_LOCK:
        if request.get("ChangeSetName"):
            change_set = store.change_set(request.get("StackName"), request["ChangeSetName"])
            body, processed = change_set.template_body, change_set.template
        else:
            stack = find(store, request["StackName"])
            body, processed = stack.template_body, stack.template
    if request.get("TemplateStage") == "Processed":
        return json.dumps(processed)
    return body


def tags_of(request: dict[str, Any]) -> dict[str, str] | None:
    """The Tags of a request; None when the request leaves the stack's tags as they are."""
    if "Tags" not in request or request["Tags"] is None:
        return None
    return {tag["Key"]: tag["Value"] for tag in request["Tags"]}


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def stack_policy(account_id: str, region: str, name: str, body: str | None = None) -> str | None:
    """The stack's policy; sets it first when `body` is given (moto keeps it and so do we: no
    policy is enforced)."""
    with ENGINE_LOCK:
        stack = find(store_for(account_id, region), name)
        if body is not None:
            stack.policy = body
        return stack.policy


def set_termination_protection(account_id: str, region: str, name: str, enabled: bool) -> str:
    with ENGINE_LOCK:
        stack = find(store_for(account_id, region), name)
        stack.termination_protection = enabled
        return stack.stack_id
