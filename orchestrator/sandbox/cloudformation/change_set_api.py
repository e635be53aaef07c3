"""The change-set actions. A change set belongs to one stack: its name is looked up there only."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from orchestrator.sandbox.cloudformation import errors, intake, sam
from orchestrator.sandbox.cloudformation.drift import drifted
from orchestrator.sandbox.cloudformation.handlers import handler_for
from orchestrator.sandbox.cloudformation.intrinsics import ResolveError
from orchestrator.sandbox.cloudformation.model import (
    ENGINE_LOCK,
    ChangeSet,
    ResourceChange,
    Stack,
    Store,
    store_for,
)
from orchestrator.sandbox.cloudformation.operations import Desired, Operation, context, wanted
from orchestrator.sandbox.cloudformation.replacement import CONDITIONAL, TRUE, replacement
from orchestrator.sandbox.cloudformation.resources import Provisioner
from orchestrator.sandbox.cloudformation.stack_api import (
    change_set_latency_of,
    check_updatable,
    find,
    run,
    stack_id,
    tags_of,
)

NAME = re.compile(r"^[a-zA-Z][-a-zA-Z0-9]*$")
SUCCEEDED = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"})


def create_change_set(account_id: str, region: str, request: dict[str, Any]) -> ChangeSet:
    name, kind = request["ChangeSetName"], request.get("ChangeSetType") or "UPDATE"
    if not NAME.match(name):
        raise errors.validation(
            f"1 validation error detected: Value '{name}' at "
            "'changeSetName' failed to satisfy constraint"
        )
    store = store_for(account_id, region)
    with ENGINE_LOCK:
        existing = store.live_stack(request["StackName"])
        previous = (existing.template_body, existing.parameters) if existing else (None, None)
        failure = None
        try:  # a template AWS rejects makes no stack, so it is taken in first
            taken = intake.take(request, account_id, region, *previous)
        except sam.TransformFailed as exc:  # AWS fails the change set instead of the call
            taken, failure = exc.partial, str(exc)
        stack = _stack_for(store, request["StackName"], name, kind, account_id, region)
        if any(c.name == name for c in store.change_sets_of(stack.stack_id)):
            raise errors.already_exists_change_set(name)
        if kind == "IMPORT":
            check_importable(taken.desired.template, request.get("ResourcesToImport") or [])
        change_set = ChangeSet(
            f"arn:aws:cloudformation:{region}:{account_id}:changeSet/{name}/{uuid.uuid4()}",
            name,
            stack.stack_id,
            stack.name,
            kind,
            taken.body,
            taken.desired.template,
            taken.desired.parameters,
            tags_of(request),
            list(request.get("Capabilities") or []),
            request.get("Description"),
            list(request.get("ResourcesToImport") or []),
        )
        if kind == "UPDATE" and request.get("DeploymentMode") == "REVERT_DRIFT":
            change_set.revert_drift = drifted(account_id, region, stack)
        if failure is None:
            _describe_changes(store, stack, change_set, account_id, region)
        else:
            change_set.status, change_set.execution_status = "FAILED", "UNAVAILABLE"
            change_set.status_reason = failure
        change_set.ready_at = time.time() + change_set_latency_of(change_set.template)
        if stack.status == "REVIEW_IN_PROGRESS":
            stack.template = stack.template or change_set.template
        store.change_sets[change_set.change_set_id] = change_set
        return change_set


def _stack_for(
    store: Store, name: str, change_set: str, kind: str, account_id: str, region: str
) -> Stack:
    """The stack a change set is for; CREATE and IMPORT make a REVIEW_IN_PROGRESS one."""
    stack = store.live_stack(name)
    if kind == "UPDATE":
        if stack is None or stack.status == "REVIEW_IN_PROGRESS":
            raise errors.validation(f"Stack [{name}] does not exist")
        check_updatable(stack)
        return stack
    if stack is not None:
        if kind == "CREATE" and stack.status != "REVIEW_IN_PROGRESS":
            raise errors.AlreadyExists(
                f"Stack [{name}] already exists and cannot be created "
                f"again with the changeSet [{change_set}]."
            )
        return stack
    stack = Stack(stack_id(name, account_id, region), name, "REVIEW_IN_PROGRESS")
    stack.event(None, "REVIEW_IN_PROGRESS", "User Initiated")
    store.stacks[stack.stack_id] = stack
    return stack


def _describe_changes(
    store: Store, stack: Stack, change_set: ChangeSet, account_id: str, region: str
) -> None:
    """The resource changes; an UPDATE that changes nothing ends FAILED, as on AWS."""
    desired = Desired(change_set.template, change_set.parameters)
    if change_set.change_set_type == "IMPORT":
        change_set.changes = _imports(stack, change_set, account_id, region)
        return
    if change_set.change_set_type == "CREATE":
        ctx = context(store, stack, desired, account_id, region)
        change_set.changes = [
            ResourceChange("Add", lid, str(d.get("Type")))
            for lid, d in change_set.template["Resources"].items()
            if wanted(d, ctx)
        ]
        return
    change_set.changes = _updates(store, stack, desired, account_id, region)
    changing = {change.logical_id for change in change_set.changes}
    change_set.changes += [
        ResourceChange("Modify", lid, r.resource_type, r.physical_id, "False")
        for lid, r in stack.resources.items()
        if lid in change_set.revert_drift and lid not in changing
    ]
    same_tags = change_set.tags is None or change_set.tags == stack.tags
    if (
        not change_set.changes
        and change_set.template == stack.template
        and change_set.parameters == stack.parameters
        and same_tags
    ):
        change_set.status, change_set.execution_status = "FAILED", "UNAVAILABLE"
        change_set.status_reason = errors.NO_CHANGES


def _updates(
    store: Store, stack: Stack, desired: Desired, account_id: str, region: str
) -> list[ResourceChange]:
    ctx = context(store, stack, desired, account_id, region)
    provisioner = Provisioner(stack, account_id, region)
    changes, kept = [], set()
    for lid, definition in desired.template["Resources"].items():
        if not wanted(definition, ctx):
            continue
        kept.add(lid)
        current = stack.resources.get(lid)
        if current is None:
            changes.append(ResourceChange("Add", lid, str(definition.get("Type"))))
            continue
        kind = str(definition.get("Type"))
        try:
            wanted_properties = provisioner.properties(definition, ctx)
        except ResolveError:  # refers to a resource the change set adds: known only then
            replaced = CONDITIONAL
        else:
            if wanted_properties == current.properties and kind == current.resource_type:
                continue
            replaced = replacement(kind, region, current.properties, wanted_properties)
        if kind != current.resource_type:
            replaced = TRUE
        changes.append(
            ResourceChange("Modify", lid, current.resource_type, current.physical_id, replaced)
        )
    changes += [
        ResourceChange("Remove", lid, r.resource_type, r.physical_id)
        for lid, r in stack.resources.items()
        if lid not in kept
    ]
    return changes


def check_importable(template: dict[str, Any], to_import: list[dict[str, Any]]) -> None:
    """AWS rejects the call when an imported resource is not in the template or has no
    DeletionPolicy (so that a rollback never deletes what it did not make)."""
    resources = template["Resources"]
    missing = [e["LogicalResourceId"] for e in to_import if e["LogicalResourceId"] not in resources]
    if missing:
        raise errors.validation(
            f"Resources to import [{', '.join(missing)}] are not in the template"
        )
    bare = [
        e["LogicalResourceId"]
        for e in to_import
        if "DeletionPolicy" not in (resources[e["LogicalResourceId"]] or {})
    ]
    if bare:
        raise errors.validation(
            f"The following resources to import [{', '.join(bare)}] must have "
            "DeletionPolicy attribute specified in the template."
        )


def _imports(
    stack: Stack, change_set: ChangeSet, account_id: str, region: str
) -> list[ResourceChange]:
    provisioner, changes = Provisioner(stack, account_id, region), []
    for entry in change_set.resources_to_import:
        lid, kind = entry["LogicalResourceId"], entry["ResourceType"]
        definition = change_set.template["Resources"].get(lid)
        handler = handler_for(kind)
        identifier = entry.get("ResourceIdentifier") or {}
        found = handler.find(provisioner.target(lid, kind), identifier) if handler else None
        if definition is None or found is None:
            change_set.status, change_set.execution_status = "FAILED", "UNAVAILABLE"
            change_set.status_reason = (
                f"Resource to import {lid} ({kind}) with identifier "
                f"{identifier} does not exist or cannot be imported"
            )
            return []
        changes.append(ResourceChange("Import", lid, kind, found[1]))
    return changes


def describe_change_set(
    account_id: str, region: str, stack_name: str | None, name: str
) -> ChangeSet:
    with ENGINE_LOCK:
        return store_for(account_id, region).change_set(stack_name, name)


def list_change_sets(account_id: str, region: str, stack_name: str) -> list[ChangeSet]:
    store = store_for(account_id, region)
    with ENGINE_LOCK:
        return store.change_sets_of(find(store, stack_name).stack_id)


def delete_change_set(account_id: str, region: str, stack_name: str | None, name: str) -> None:
    store = store_for(account_id, region)
    with ENGINE_LOCK:
        try:
            change_set = store.change_set(stack_name, name)
        except errors.ChangeSetNotFound:
            return  # AWS answers success for a change set it does not know
        del store.change_sets[change_set.change_set_id]


def execute_change_set(account_id: str, region: str, request: dict[str, Any]) -> None:
    store = store_for(account_id, region)
    with ENGINE_LOCK:
        change_set = store.change_set(request.get("StackName"), request["ChangeSetName"])
        status = change_set.visible_status()
        if status != "CREATE_COMPLETE" or change_set.visible_execution_status() != "AVAILABLE":
            raise errors.InvalidChangeSetStatus(
                f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current "
                f"status of [{status}]"
            )
        stack = store.stacks[change_set.stack_id]
        if stack.status != "REVIEW_IN_PROGRESS":
            check_updatable(stack)
        _execute(store, stack, change_set, account_id, region, request)
        change_set.execution_status = (
            "EXECUTE_COMPLETE" if stack.status in SUCCEEDED else "EXECUTE_FAILED"
        )
        change_set.ready_at = 0.0
        change_set.execution_ready_at = stack.ready_at
        # AWS deletes a stack's other change sets once one is executed: they no longer apply
        for other in store.change_sets_of(stack.stack_id):
            if other is not change_set:
                del store.change_sets[other.change_set_id]


def _execute(
    store: Store,
    stack: Stack,
    change_set: ChangeSet,
    account_id: str,
    region: str,
    request: dict[str, Any],
) -> None:
    desired = Desired(change_set.template, change_set.parameters, change_set.template_body)
    # "True - if the stack creation fails, do nothing" (ExecuteChangeSet DisableRollback, API
    # Reference): a failed create stays CREATE_FAILED, a failed update UPDATE_FAILED
    disable_rollback = str(request.get("DisableRollback")).lower() == "true"
    stack.capabilities = change_set.capabilities
    kind = change_set.change_set_type
    if kind != "UPDATE" and (stack.status == "REVIEW_IN_PROGRESS" or change_set.tags is not None):
        stack.tags = change_set.tags or {}
    if stack.status == "REVIEW_IN_PROGRESS":
        stack.description = change_set.template.get("Description")
        stack.disable_rollback = disable_rollback
    operations: dict[str, Callable[[Operation], None]] = {
        "IMPORT": lambda op: op.import_resources(desired, change_set.resources_to_import),
        "CREATE": lambda op: op.create(desired, disable_rollback),
        "UPDATE": lambda op: op.update(
            desired, change_set.tags, disable_rollback, change_set.revert_drift
        ),
    }
    action = {"IMPORT": "import_resources", "CREATE": "create"}.get(kind, "update")
    run(store, stack, account_id, region, action, operations[kind])
