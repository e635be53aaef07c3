"""One resource at a time: resolve its properties, make, change or remove it, record its events.

A failure never escapes: it becomes the resource's `*_FAILED` event with a reason, which the stack
operation turns into a rollback, as CloudFormation does.
"""

from __future__ import annotations

from typing import Any

from orchestrator.sandbox.cloudformation import handlers
from orchestrator.sandbox.cloudformation.handlers import Handler, ProvisionError, Target
from orchestrator.sandbox.cloudformation.intrinsics import Context, ResolveError, resolve
from orchestrator.sandbox.cloudformation.model import Resource, Stack, now


def reason(exc: BaseException) -> str:
    """A failure as CloudFormation words it: the handler's message and its error code."""
    if isinstance(exc, ProvisionError | ResolveError):
        return str(exc)
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    # moto's REST errors keep the HTTP status in `code` and the AWS code in `error_type`
    code = getattr(exc, "error_type", None) or getattr(exc, "code", None)
    if not isinstance(code, str):
        code = type(exc).__name__
    code = code.rsplit("#", 1)[-1]  # moto's JSON errors carry the model's namespace
    return f'Resource handler returned message: "{message}" (HandlerErrorCode: {code})'


class Provisioner:
    """Makes, changes and removes the resources of one stack, recording an event for each step."""

    def __init__(self, stack: Stack, account_id: str, region: str) -> None:
        self.stack = stack
        self.account_id = account_id
        self.region = region

    def target(self, logical_id: str, resource_type: str) -> Target:
        return Target(
            self.account_id,
            self.region,
            self.stack.name,
            self.stack.stack_id,
            logical_id,
            resource_type,
        )

    def handler(self, resource_type: str) -> Handler:
        handler = handlers.handler_for(resource_type)
        if handler is None:
            raise ProvisionError(
                f"Resource type {resource_type} is not supported by the firefly sandbox"
            )
        return handler

    def properties(self, definition: dict[str, Any], ctx: Context) -> dict[str, Any]:
        resolved = resolve(definition.get("Properties") or {}, ctx)
        return resolved if isinstance(resolved, dict) else {}

    def create(
        self, logical_id: str, definition: dict[str, Any], ctx: Context, action: str = "CREATE"
    ) -> str | None:
        """Make one resource; the failure reason, or None when it was made."""
        kind = str(definition.get("Type"))
        pending = Resource(logical_id, kind, definition, {}, "", None, f"{action}_IN_PROGRESS")
        self.stack.event(pending, f"{action}_IN_PROGRESS")
        try:
            handler = self.handler(kind)
            properties = self.properties(definition, ctx)
            target = self.target(logical_id, kind)
            handler.check(target, properties)
            model, physical_id = handler.create(target, properties)
        except Exception as exc:  # any failure of moto or of the template is the event's reason
            why = reason(exc)
            self.stack.event(pending, f"{action}_FAILED", why)
            return why
        made = Resource(
            logical_id, kind, definition, properties, physical_id, model, f"{action}_COMPLETE"
        )
        self.stack.resources[logical_id] = made
        self.stack.event(made, f"{action}_COMPLETE")
        return None

    def update(
        self, resource: Resource, definition: dict[str, Any], properties: dict[str, Any]
    ) -> str | None:
        """Change one resource to `properties`; the failure reason, or None."""
        self.stack.event(resource, "UPDATE_IN_PROGRESS")
        try:
            target = self.target(resource.logical_id, resource.resource_type)
            handler = self.handler(resource.resource_type)
            handler.check(target, properties)
            model, physical_id = handler.update(target, resource, properties)
        except Exception as exc:  # the failure is the event's reason
            why = reason(exc)
            self.stack.event(resource, "UPDATE_FAILED", why)
            return why
        changed = Resource(
            resource.logical_id,
            resource.resource_type,
            definition,
            properties,
            physical_id,
            model,
            "UPDATE_COMPLETE",
        )
        self.stack.resources[resource.logical_id] = changed
        self.stack.event(changed, "UPDATE_COMPLETE")
        return None

    def delete(self, resource: Resource) -> str | None:
        """Remove one resource, or keep it when its DeletionPolicy says Retain; failure reason."""
        if resource.definition.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate"):
            self.stack.event(resource, "DELETE_SKIPPED")
            self.stack.resources.pop(resource.logical_id, None)
            return None
        self.stack.event(resource, "DELETE_IN_PROGRESS")
        try:
            if resource.model is not None:
                target = self.target(resource.logical_id, resource.resource_type)
                self.handler(resource.resource_type).delete(target, resource)
        except Exception as exc:  # the failure is the event's reason; the resource stays
            why = reason(exc)
            resource.status, resource.reason, resource.updated = "DELETE_FAILED", why, now()
            self.stack.event(resource, "DELETE_FAILED", why)
            return why
        self.stack.resources.pop(resource.logical_id, None)
        self.stack.event(resource, "DELETE_COMPLETE")
        return None

    def adopt(
        self, logical_id: str, definition: dict[str, Any], identifier: dict[str, Any], ctx: Context
    ) -> str | None:
        """Take an existing resource into the stack (IMPORT); the failure reason, or None."""
        kind = str(definition.get("Type"))
        pending = Resource(logical_id, kind, definition, {}, "", None, "IMPORT_IN_PROGRESS")
        self.stack.event(pending, "IMPORT_IN_PROGRESS")
        try:
            found = self.handler(kind).find(self.target(logical_id, kind), identifier)
            if found is None:
                raise ProvisionError(
                    f"Resource of type '{kind}' with identifier '{identifier}' was not found."
                )
            properties = self.properties(definition, ctx)
        except Exception as exc:  # the failure is the event's reason
            why = reason(exc)
            self.stack.event(pending, "IMPORT_FAILED", why)
            return why
        model, physical_id = found
        adopted = Resource(
            logical_id, kind, definition, properties, physical_id, model, "IMPORT_COMPLETE"
        )
        self.stack.resources[logical_id] = adopted
        self.stack.event(adopted, "IMPORT_COMPLETE")
        return None
