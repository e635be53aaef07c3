"""Stack operations: create, update, import and delete, each ending the way CloudFormation ends it
(`*_COMPLETE`, a rollback after a failed resource, `DELETE_FAILED`), with stack and resource events.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from orchestrator.sandbox.cloudformation import handlers
from orchestrator.sandbox.cloudformation.intrinsics import (
    Context,
    ResolveError,
    evaluate_conditions,
    resolve,
)
from orchestrator.sandbox.cloudformation.model import Output, Resource, Stable, Stack, Store, now
from orchestrator.sandbox.cloudformation.resources import Provisioner, reason
from orchestrator.sandbox.cloudformation.rollbacks import roll_back_to
from orchestrator.sandbox.cloudformation.template import creation_order, typed_parameter


@dataclass
class Desired:
    """What a stack should become: a processed template and its parameter values (as given)."""

    template: dict[str, Any]
    parameters: dict[str, str]
    body: str | None = None  # the template as sent, kept for get_template once applied


def context(store: Store, stack: Stack, desired: Desired, account_id: str, region: str) -> Context:
    """What the template's values may refer to, resources being those the stack has now."""
    declared = desired.template.get("Parameters") or {}

    def ssm(name: str) -> str:
        from moto.ssm.models import ssm_backends

        found = ssm_backends[account_id][region].get_parameter(name)
        if found is None:
            raise ResolveError(f"Unable to fetch parameters [{name}] from parameter store")
        return str(found.value)

    typed = {
        key: typed_parameter(value, declared.get(key) or {}, ssm)
        for key, value in desired.parameters.items()
    }
    pseudo = {
        "AWS::AccountId": account_id,
        "AWS::Region": region,
        "AWS::StackId": stack.stack_id,
        "AWS::StackName": stack.name,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::NotificationARNs": stack.notification_arns,
    }
    ctx = Context(
        {**pseudo, **typed},
        desired.template.get("Mappings") or {},
        resources=stack.resources,
        exports=store.exports(),
        attribute=_attribute,
        region=region,
    )
    ctx.conditions = evaluate_conditions(desired.template, ctx)
    return ctx


def _attribute(resource: Resource, name: str) -> Any:
    handler = handlers.handler_for(resource.resource_type)
    if handler is None:
        raise ResolveError(
            f"Template error: resource {resource.logical_id} does not support "
            f"attribute type {name} in Fn::GetAtt"
        )
    return handler.attribute(resource, name)


def wanted(definition: dict[str, Any], ctx: Context) -> bool:
    name = definition.get("Condition")
    return name is None or bool(ctx.conditions.get(name))


def outputs(store: Store, stack: Stack, template: dict[str, Any], ctx: Context) -> list[Output]:
    """The Outputs, resolved once: describing a stack later never touches its resources."""
    found = []
    for key, declaration in (template.get("Outputs") or {}).items():
        if not wanted(declaration, ctx):
            continue
        value = resolve(declaration.get("Value"), ctx)
        export = declaration.get("Export")
        name = str(resolve(export.get("Name"), ctx)) if export else None
        owner = store.exports().get(name or "", ("", stack.stack_id))[1]
        if owner != stack.stack_id:
            raise ResolveError(
                f"Export with name {name} is already exported by stack {store.stacks[owner].name}"
            )
        text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
        found.append(Output(key, text, declaration.get("Description"), name))
    return found


class Operation:
    """One operation on one stack; every method leaves the stack in a final status."""

    def __init__(self, store: Store, stack: Stack, account_id: str, region: str) -> None:
        self.store, self.stack = store, stack
        self.account_id, self.region = account_id, region
        self.provisioner = Provisioner(stack, account_id, region)
        # logical id -> live properties a drift-aware update overwrites (see `drift.drifted`)
        self.revert: dict[str, dict[str, Any]] = {}

    def context(self, desired: Desired) -> Context:
        return context(self.store, self.stack, desired, self.account_id, self.region)

    def create(self, desired: Desired, disable_rollback: bool) -> None:
        self.begin("CREATE_IN_PROGRESS", "User Initiated")
        failure = self._create_all(desired)
        if failure is None:
            self.finish("CREATE_COMPLETE")
            return
        failed = f"The following resource(s) failed to create: [{failure}]. "
        if disable_rollback:
            self.finish("CREATE_FAILED", failed)
            return
        self.stack.event(None, "ROLLBACK_IN_PROGRESS", failed + "Rollback requested by user.")
        self.stack.status = "ROLLBACK_IN_PROGRESS"
        self.delete_all(list(self.stack.resources))
        self.stack.outputs = []
        self.finish("ROLLBACK_COMPLETE")

    def _create_all(self, desired: Desired) -> str | None:
        """Make every resource in dependency order; the logical id that failed, if one did."""
        try:
            ctx = self.context(desired)
        except Exception as exc:  # a parameter or condition that cannot be resolved
            self.stack.status_reason = reason(exc)
            return self.stack.name
        self.adopt_template(desired)
        resources = desired.template["Resources"]
        for logical_id in creation_order(resources):
            if (
                wanted(resources[logical_id], ctx)
                and self.provisioner.create(logical_id, resources[logical_id], ctx) is not None
            ):
                return logical_id
        return self._set_outputs(desired.template, ctx)

    def _set_outputs(self, template: dict[str, Any], ctx: Context) -> str | None:
        try:
            self.stack.outputs = outputs(self.store, self.stack, template, ctx)
        except Exception as exc:  # an output that cannot be resolved fails the stack
            self.stack.event(
                None,
                "CREATE_FAILED" if self.stack.status.startswith("CREATE") else "UPDATE_FAILED",
                reason(exc),
            )
            return "Outputs"
        return None

    def update(
        self,
        desired: Desired,
        tags: dict[str, str] | None,
        disable_rollback: bool = False,
        revert: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.revert = revert or {}
        self.begin("UPDATE_IN_PROGRESS", "User Initiated")
        # after an UPDATE_FAILED, a rollback still returns to the state before that update
        stable = self.stack.stable or Stable(dict(self.stack.resources), self._old_outputs)
        before = dict(self.stack.resources)
        _, failure = self._apply_changes(desired)
        if failure is not None:
            failed = f"The following resource(s) failed to update: [{failure}]. "
            if disable_rollback:  # ExecuteChangeSet DisableRollback: keep what was done
                self.stack.stable = stable
                self.finish("UPDATE_FAILED", failed)
                return
            self.stack.event(None, "UPDATE_ROLLBACK_IN_PROGRESS", failed)
            self.stack.status = "UPDATE_ROLLBACK_IN_PROGRESS"
            roll_back_to(self, stable)
            return
        self.stack.stable = None
        self.stack.event(None, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
        kept = self._kept(desired)
        removed = [lid for lid in before if lid not in kept]
        self.delete_all(removed)
        self.adopt_template(desired)
        self.stack.description = desired.template.get("Description")
        if tags is not None:
            self.stack.tags = tags
        self.finish("UPDATE_COMPLETE")

    def _kept(self, desired: Desired) -> set[str]:
        ctx = self.context(desired)
        return {
            lid
            for lid, definition in desired.template["Resources"].items()
            if wanted(definition, ctx)
        }

    def _apply_changes(self, desired: Desired) -> tuple[list[str], str | None]:
        """Add and modify what `desired` changes; (logical ids added, the one that failed)."""
        added: list[str] = []
        try:
            ctx = self.context(desired)
        except Exception as exc:  # a parameter or condition that cannot be resolved
            self.stack.event(None, "UPDATE_FAILED", reason(exc))
            return added, self.stack.name
        resources = desired.template["Resources"]
        for logical_id in creation_order(resources):
            definition = resources[logical_id]
            if not wanted(definition, ctx):
                continue
            current = self.stack.resources.get(logical_id)
            if current is None:
                added.append(logical_id)
                if self.provisioner.create(logical_id, definition, ctx) is not None:
                    return added, logical_id
            elif self._modify(current, definition, ctx) is not None:
                return added, logical_id
        return added, self._set_outputs(desired.template, ctx)

    def _modify(self, current: Resource, definition: dict[str, Any], ctx: Context) -> str | None:
        try:
            properties = self.provisioner.properties(definition, ctx)
        except Exception as exc:  # an unresolvable value fails this resource
            why = reason(exc)
            self.stack.event(current, "UPDATE_FAILED", why)
            return why
        live = self.revert.get(current.logical_id)
        if live is not None:  # drifted: updated from what it is now back to the template
            current = dataclasses.replace(current, properties={**current.properties, **live})
        elif properties == current.properties and definition.get("Type") == current.resource_type:
            current.definition = definition  # DeletionPolicy and metadata need no update call
            return None
        return self.provisioner.update(current, definition, properties)

    def import_resources(self, desired: Desired, to_import: list[dict[str, Any]]) -> None:
        self.begin("IMPORT_IN_PROGRESS", "User Initiated")
        ctx = self.context(desired)
        resources = desired.template["Resources"]
        adopted: list[str] = []
        for entry in to_import:
            logical_id = entry["LogicalResourceId"]
            failure = self.provisioner.adopt(
                logical_id, resources[logical_id], entry.get("ResourceIdentifier") or {}, ctx
            )
            if failure is not None:
                for done in adopted:  # an import rollback forgets, never deletes
                    self.stack.resources.pop(done, None)
                self.finish("IMPORT_ROLLBACK_COMPLETE", failure)
                return
            adopted.append(logical_id)
        self.adopt_template(desired)
        self.stack.description = desired.template.get("Description")
        self._set_outputs(desired.template, ctx)
        self.finish("IMPORT_COMPLETE")

    def delete(self, retain: frozenset[str] = frozenset()) -> None:
        """Delete the stack; `retain` (RetainResources, after a DELETE_FAILED) are kept."""
        self.begin("DELETE_IN_PROGRESS", "User Initiated")
        for logical_id in retain & set(self.stack.resources):
            self.stack.event(self.stack.resources.pop(logical_id), "DELETE_SKIPPED")
        failed = self.delete_all(list(self.stack.resources))
        if failed:
            self.finish(
                "DELETE_FAILED",
                f"The following resource(s) failed to delete: [{', '.join(failed)}]. ",
            )
            return
        self.stack.deleted = now()
        self.finish("DELETE_COMPLETE")

    def delete_all(self, logical_ids: list[str]) -> list[str]:
        """Delete resources, dependents first; what failed (and what those still need stays)."""
        definitions = {lid: self.stack.resources[lid].definition for lid in self.stack.resources}
        order = [lid for lid in reversed(creation_order(definitions)) if lid in logical_ids]
        needs = {lid: handlers_needs(definitions, lid) for lid in order}
        failed: list[str] = []
        for logical_id in order:
            if any(logical_id in needs.get(f, set()) for f in failed):
                continue
            if self.provisioner.delete(self.stack.resources[logical_id]) is not None:
                failed.append(logical_id)
        return failed

    def adopt_template(self, desired: Desired) -> None:
        self.stack.template, self.stack.parameters = desired.template, desired.parameters
        if desired.body is not None:
            self.stack.template_body = desired.body

    def begin(self, status: str, why: str | None) -> None:
        self._old_outputs = list(self.stack.outputs)
        self.stack.status, self.stack.status_reason = status, None
        self.stack.event(None, status, why)

    def finish(self, status: str, why: str | None = None) -> None:
        self.stack.status = status
        self.stack.status_reason = why or self.stack.status_reason
        if status.startswith(("UPDATE", "IMPORT")):
            self.stack.updated = now()
        self.stack.event(None, status, why)


def handlers_needs(definitions: dict[str, Any], logical_id: str) -> set[str]:
    """Everything `logical_id` depends on, directly or not."""
    from orchestrator.sandbox.cloudformation.template import dependencies

    direct = dependencies(definitions)
    found: set[str] = set()
    todo = [logical_id]
    while todo:
        for need in direct.get(todo.pop(), set()):
            if need not in found:
                found.add(need)
                todo.append(need)
    return found
