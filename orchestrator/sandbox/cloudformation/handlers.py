"""How one resource type is created, updated, deleted, read and imported.

The default handler drives moto's `CloudFormationModel` of the type (moto's extension point for
CloudFormation resources). Types moto lacks or gets wrong register their own handler, from the fix
module named after the behaviour it restores.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cloudformation.parsing import generate_resource_name, get_model_map

from orchestrator.sandbox.cloudformation.intrinsics import ResolveError
from orchestrator.sandbox.cloudformation.model import Resource


class ProvisionError(Exception):
    """A resource operation failed; the message is the event's reason."""


@dataclass(frozen=True)
class Target:
    """Where a resource lives and who owns it."""

    account_id: str
    region: str
    stack_name: str
    stack_id: str
    logical_id: str
    resource_type: str


class Handler:
    """moto's model of `resource_type`; subclasses change what moto gets wrong."""

    required: tuple[str, ...] = ()  # properties CloudFormation's schema requires

    def __init__(self, resource_type: str, model_class: Any = None) -> None:
        self.resource_type = resource_type
        self.model_class = model_class

    @property
    def name_property(self) -> str | None:
        if self.model_class is None:
            return None
        return self.model_class.cloudformation_name_type() or None

    def physical_name(self, target: Target, properties: dict[str, Any]) -> str:
        name = properties.get(self.name_property) if self.name_property else None
        if name:
            return str(name)
        return generate_resource_name(target.resource_type, target.stack_name, target.logical_id)

    def check(self, target: Target, properties: dict[str, Any]) -> None:
        missing = [key for key in self.required if key not in properties]
        if missing:
            raise ProvisionError(
                f"Properties validation failed for resource {target.logical_id} "
                f"with message: #: required key [{missing[0]}] not found"
            )

    def create(self, target: Target, properties: dict[str, Any]) -> tuple[Any, str]:
        """The new model and its physical id (what `Ref` returns)."""
        name = self.physical_name(target, properties)
        model = self.model_class.create_from_cloudformation_json(
            name,
            {"Type": target.resource_type, "Properties": copy.deepcopy(properties)},
            target.account_id,
            target.region,
            LogicalId=target.logical_id,
            StackId=target.stack_id,
            ResourceType=target.resource_type,
        )
        _label(model, target)
        return model, self.physical_id(model, name)

    def physical_id(self, model: Any, name: str) -> str:
        return str(getattr(model, "physical_resource_id", None) or name)

    def update(
        self, target: Target, resource: Resource, properties: dict[str, Any]
    ) -> tuple[Any, str]:
        method = self.model_class.update_from_cloudformation_json
        if getattr(method, "__isabstractmethod__", False):
            return self._replace_or_keep(target, resource, properties)
        name = self.physical_name(target, properties)
        model = method(
            original_resource=resource.model,
            new_resource_name=name,
            cloudformation_json={
                "Type": target.resource_type,
                "Properties": copy.deepcopy(properties),
            },
            account_id=target.account_id,
            region_name=target.region,
        )
        _label(model, target)
        return model, self.physical_id(model, name)

    def _replace_or_keep(
        self, target: Target, resource: Resource, properties: dict[str, Any]
    ) -> tuple[Any, str]:
        # moto cannot update this type in place. A new name means a replacement, as on AWS;
        # otherwise the resource is kept as it is (moto has nothing to change it with)
        key = self.name_property
        if key and properties.get(key) != resource.properties.get(key):
            return self._replace(target, resource, properties)
        return resource.model, resource.physical_id

    def _replace(
        self, target: Target, resource: Resource, properties: dict[str, Any]
    ) -> tuple[Any, str]:
        """Make the new resource, then delete the old one, as CloudFormation replaces."""
        model, physical_id = self.create(target, properties)
        self.delete(target, resource)
        return model, physical_id

    def delete(self, target: Target, resource: Resource) -> None:
        model = resource.model
        try:
            model.delete(target.account_id, target.region)
            return
        except (TypeError, AttributeError):
            pass  # moto's models differ: the class method is the other way to delete
        method = self.model_class.delete_from_cloudformation_json
        if not getattr(method, "__isabstractmethod__", False):
            method(
                resource.physical_id,
                {"Type": target.resource_type, "Properties": resource.properties},
                target.account_id,
                target.region,
            )

    def has_attribute(self, name: str) -> bool | None:
        if self.model_class is None:
            return None
        return bool(self.model_class.has_cfn_attr(name))

    def attribute(self, resource: Resource, name: str) -> Any:
        try:
            value = resource.model.get_cfn_attribute(name)
        except (UnformattedGetAttTemplateException, NotImplementedError, AttributeError):
            value = None
        if value is None:
            raise ResolveError(
                f"Template error: resource {resource.logical_id} does not support "
                f"attribute type {name} in Fn::GetAtt"
            )
        return value

    def find(self, target: Target, identifier: dict[str, Any]) -> tuple[Any, str] | None:
        """The existing resource an IMPORT names; None when the type cannot be imported."""
        return None


def _label(model: Any, target: Target) -> None:
    # moto's own code reads these two attributes off CloudFormation-made models
    try:
        model.cf_resource_type = target.resource_type
        model.logical_resource_id = target.logical_id
    except AttributeError:
        pass


HANDLERS: dict[str, Handler] = {}


def register(handler: Handler) -> None:
    HANDLERS[handler.resource_type] = handler


def handler_for(resource_type: str) -> Handler | None:
    """The handler of a type; None when neither firefly nor moto can make it."""
    if resource_type in HANDLERS:
        return HANDLERS[resource_type]
    model_class = get_model_map().get(resource_type)
    if model_class is None:
        return None
    return Handler(resource_type, model_class)


def moto_model(resource_type: str) -> Any:
    """moto's model class of a type (for handlers that extend it)."""
    return get_model_map()[resource_type]


def has_attribute(resource_type: str, name: str) -> bool | None:
    handler = handler_for(resource_type)
    return None if handler is None else handler.has_attribute(name)
