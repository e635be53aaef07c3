"""Types the sandbox cannot make say so: a nested stack or a custom resource fails with a reason
(moto would make them outside this engine), and wait-condition handles are inert, as moto treats
them."""

from __future__ import annotations

from typing import Any

from orchestrator.sandbox.cloudformation import handlers
from orchestrator.sandbox.cloudformation.handlers import Handler, ProvisionError, Target
from orchestrator.sandbox.cloudformation.model import Resource

UNSUPPORTED = ("AWS::CloudFormation::Stack",)
INERT = ("AWS::CloudFormation::WaitConditionHandle", "AWS::CloudFormation::WaitCondition")


class Unsupported(Handler):
    def create(self, target: Target, properties: dict[str, Any]) -> tuple[Any, str]:
        raise ProvisionError(
            f"Resource type {self.resource_type} is not supported by the firefly sandbox"
        )

    def has_attribute(self, name: str) -> bool | None:
        return None


class Inert(Handler):
    """Nothing to make; the physical id is a generated name."""

    def create(self, target: Target, properties: dict[str, Any]) -> tuple[Any, str]:
        name = self.physical_name(target, properties)
        return name, name

    def update(
        self, target: Target, resource: Resource, properties: dict[str, Any]
    ) -> tuple[Any, str]:
        return resource.model, resource.physical_id

    def delete(self, target: Target, resource: Resource) -> None:
        """Nothing was made."""

    def has_attribute(self, name: str) -> bool | None:
        return None


def install() -> None:
    for kind in UNSUPPORTED:
        handlers.register(Unsupported(kind))
    for kind in INERT:
        handlers.register(Inert(kind))
