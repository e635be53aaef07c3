"""CloudFormation-made Lambda functions keep their Layers (and every other property), runtimes are
checked as the Lambda API checks them, `Ref` of a layer version is its ARN, the layer goes under
its `LayerName`, and deleting the stack deletes the layer version it made."""

from __future__ import annotations

import base64
import copy
from typing import Any

from orchestrator.sandbox.cloudformation import handlers
from orchestrator.sandbox.cloudformation.handlers import Handler, ProvisionError, Target
from orchestrator.sandbox.cloudformation.model import Resource

# the runtimes CreateFunction accepts (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html)
RUNTIMES = frozenset(
    {
        "nodejs18.x",
        "nodejs20.x",
        "nodejs22.x",
        "nodejs24.x",
        "python3.9",
        "python3.10",
        "python3.11",
        "python3.12",
        "python3.13",
        "python3.14",
        "java8.al2",
        "java11",
        "java17",
        "java21",
        "java25",
        "dotnet8",
        "dotnet9",
        "dotnet10",
        "ruby3.2",
        "ruby3.3",
        "ruby3.4",
        "provided",
        "provided.al2",
        "provided.al2023",
    }
)
# CloudFormation property -> CreateFunction member, where the two differ in shape
PASSED = (
    "Description",
    "MemorySize",
    "Timeout",
    "VpcConfig",
    "Environment",
    "Layers",
    "Architectures",
    "TracingConfig",
    "EphemeralStorage",
    "PackageType",
    "ImageConfig",
    "DeadLetterConfig",
    "KMSKeyArn",
    "LoggingConfig",
    "SnapStart",
)


def _backend(target: Target) -> Any:
    from moto.awslambda.models import lambda_backends

    return lambda_backends[target.account_id][target.region]


def _code(code: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's inline `ZipFile` is source text; the API wants a base64 zip."""
    code = copy.deepcopy(code)
    if "ZipFile" in code:
        from moto.awslambda.models import LambdaFunction

        zipped = LambdaFunction._create_zipfile_from_plaintext_code(code["ZipFile"])
        code["ZipFile"] = base64.b64encode(zipped)
    return code


def check_runtime(properties: dict[str, Any]) -> None:
    runtime = properties.get("Runtime")
    if runtime is not None and runtime not in RUNTIMES:
        raise ProvisionError(
            f"Resource handler returned message: \"1 validation error detected: Value '{runtime}' "
            "at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: "
            f'[{", ".join(sorted(RUNTIMES))}]" (HandlerErrorCode: InvalidRequest)'
        )


class FunctionHandler(Handler):
    required = ("Code", "Role")

    def create(self, target: Target, properties: dict[str, Any]) -> tuple[Any, str]:
        check_runtime(properties)
        name = self.physical_name(target, properties)
        spec = {key: properties[key] for key in PASSED if key in properties}
        spec.update(
            {
                "FunctionName": name,
                "Code": _code(properties["Code"]),
                "Role": properties["Role"],
                "Handler": properties.get("Handler"),
                "Runtime": properties.get("Runtime"),
                "Tags": {t["Key"]: t["Value"] for t in properties.get("Tags", [])},
            }
        )
        function = _backend(target).create_function(spec)
        return function, name

    def update(
        self, target: Target, resource: Resource, properties: dict[str, Any]
    ) -> tuple[Any, str]:
        check_runtime(properties)
        if self.physical_name(target, properties) != resource.physical_id:
            return self._replace(target, resource, properties)
        function = resource.model
        changes: dict[str, Any] = {
            key: properties.get(key)
            for key in ("Description", "Handler", "MemorySize", "Role", "Runtime", "Timeout")
            if key in properties
        }
        changes["Environment"] = properties.get("Environment") or {"Variables": {}}
        changes["Layers"] = properties.get("Layers") or []
        function.update_configuration(changes)
        if properties.get("Code") != resource.properties.get("Code"):
            function.update_function_code(_code(properties["Code"]))
        return function, resource.physical_id

    def delete(self, target: Target, resource: Resource) -> None:
        _backend(target).delete_function(resource.physical_id)


class LayerVersionHandler(Handler):
    required = ("Content",)

    def create(self, target: Target, properties: dict[str, Any]) -> tuple[Any, str]:
        name = properties.get("LayerName") or self.physical_name(target, {})
        kept = (
            "Content",
            "Description",
            "CompatibleRuntimes",
            "CompatibleArchitectures",
            "LicenseInfo",
        )
        spec: dict[str, Any] = {key: properties[key] for key in kept if key in properties}
        layer = _backend(target).publish_layer_version({**spec, "LayerName": name})
        return layer, str(layer.arn)  # Ref of a layer version is its ARN

    def update(
        self, target: Target, resource: Resource, properties: dict[str, Any]
    ) -> tuple[Any, str]:
        # a layer version never changes: any change publishes a new version
        return self._replace(target, resource, properties)

    def delete(self, target: Target, resource: Resource) -> None:
        layer = resource.model
        _backend(target).delete_layer_version(layer.name, layer.version)

    def has_attribute(self, name: str) -> bool | None:
        return name == "LayerVersionArn"

    def attribute(self, resource: Resource, name: str) -> Any:
        if name == "LayerVersionArn":
            return resource.physical_id
        return super().attribute(resource, name)


def install() -> None:
    handlers.register(
        FunctionHandler("AWS::Lambda::Function", handlers.moto_model("AWS::Lambda::Function"))
    )
    handlers.register(
        LayerVersionHandler(
            "AWS::Lambda::LayerVersion", handlers.moto_model("AWS::Lambda::LayerVersion")
        )
    )
