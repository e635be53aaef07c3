"""`AWS::ApiGatewayV2::*` made by CloudFormation (moto makes none of them): APIs (an OpenAPI `Body`
included, as SAM's HttpApi sends it), authorizers, routes, integrations, stages and deployments,
with the ids `Ref` and `Fn::GetAtt` give on AWS."""

from __future__ import annotations

import uuid
from typing import Any

from orchestrator.sandbox.apis.websocket_endpoint import served_endpoint
from orchestrator.sandbox.cloudformation import handlers
from orchestrator.sandbox.cloudformation.handlers import Handler, Target
from orchestrator.sandbox.cloudformation.model import Resource
from orchestrator.sandbox.cloudformation.resource_types.openapi import import_body


def backend(target: Target) -> Any:
    from moto.apigatewayv2.models import apigatewayv2_backends

    return apigatewayv2_backends[target.account_id][target.region]


def wire(value: Any) -> Any:
    """CloudFormation's PascalCase members in the API's camelCase (`Issuer` -> `issuer`)."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: wire(v) for k, v in value.items()}
    return value


class ApiHandler(Handler):
    def create(self, target: Target, properties: dict[str, Any]) -> tuple[Any, str]:
        body = properties.get("Body") or {}
        api = backend(target).create_api(
            api_key_selection_expression=properties.get("ApiKeySelectionExpression"),
            cors_configuration=wire(properties.get("CorsConfiguration")),
            description=properties.get("Description"),
            disable_schema_validation=properties.get("DisableSchemaValidation"),
            disable_execute_api_endpoint=properties.get("DisableExecuteApiEndpoint"),
            name=properties.get("Name")
            or (body.get("info") or {}).get("title")
            or self.physical_name(target, {}),
            protocol_type=properties.get("ProtocolType") or "HTTP",
            route_selection_expression=properties.get("RouteSelectionExpression"),
            tags=properties.get("Tags") or {},
            version=properties.get("Version"),
        )
        if body:
            import_body(api, body)
        return api, str(api.api_id)

    def update(
        self, target: Target, resource: Resource, properties: dict[str, Any]
    ) -> tuple[Any, str]:
        api = resource.model
        if properties.get("Name"):
            api.name = properties["Name"]
        if properties.get("Description") is not None:
            api.description = properties["Description"]
        if properties.get("Body") and properties["Body"] != resource.properties.get("Body"):
            api.clear()
            import_body(api, properties["Body"])
        return api, resource.physical_id

    def delete(self, target: Target, resource: Resource) -> None:
        backend(target).delete_api(resource.physical_id)

    def has_attribute(self, name: str) -> bool | None:
        return name in ("ApiEndpoint", "ApiId")

    def attribute(self, resource: Resource, name: str) -> Any:
        if name == "ApiEndpoint":
            return served_endpoint(resource.model)
        if name == "ApiId":
            return resource.physical_id
        return super().attribute(resource, name)


class PartHandler(Handler):
    """A part of an API (authorizer, route, integration): made on the API named by `ApiId`."""

    required: tuple[str, ...] = ("ApiId",)
    id_attribute = ""

    def make(self, api: Any, properties: dict[str, Any]) -> Any:
        raise NotImplementedError

    def remove(self, api: Any, part_id: str) -> None:
        raise NotImplementedError

    def create(self, target: Target, properties: dict[str, Any]) -> tuple[Any, str]:
        part = self.make(backend(target).get_api(properties["ApiId"]), properties)
        # moto calls a route's id `route_id`, every other part's `id`
        return part, str(getattr(part, "id", None) or part.route_id)

    def update(
        self, target: Target, resource: Resource, properties: dict[str, Any]
    ) -> tuple[Any, str]:
        return self._replace(target, resource, properties)

    def delete(self, target: Target, resource: Resource) -> None:
        api = backend(target).apis.get(resource.properties["ApiId"])
        if api is not None:  # parts go with their API
            self.remove(api, resource.physical_id)

    def has_attribute(self, name: str) -> bool | None:
        return name == self.id_attribute

    def attribute(self, resource: Resource, name: str) -> Any:
        return (
            resource.physical_id if name == self.id_attribute else super().attribute(resource, name)
        )


class AuthorizerHandler(PartHandler):
    id_attribute = "AuthorizerId"

    def make(self, api: Any, p: dict[str, Any]) -> Any:
        return api.create_authorizer(
            auth_creds_arn=p.get("AuthorizerCredentialsArn"),
            auth_payload_format_version=p.get("AuthorizerPayloadFormatVersion"),
            auth_result_ttl=p.get("AuthorizerResultTtlInSeconds"),
            authorizer_type=p.get("AuthorizerType"),
            authorizer_uri=p.get("AuthorizerUri"),
            enable_simple_response=p.get("EnableSimpleResponses"),
            identity_source=p.get("IdentitySource"),
            identity_validation_expr=p.get("IdentityValidationExpression"),
            jwt_config=wire(p.get("JwtConfiguration")),
            name=p.get("Name"),
        )

    def remove(self, api: Any, part_id: str) -> None:
        api.delete_authorizer(part_id)


class RouteHandler(PartHandler):
    id_attribute = "RouteId"

    def make(self, api: Any, p: dict[str, Any]) -> Any:
        return api.create_route(
            api_key_required=p.get("ApiKeyRequired", False),
            authorization_scopes=p.get("AuthorizationScopes") or [],
            authorization_type=p.get("AuthorizationType"),
            authorizer_id=p.get("AuthorizerId"),
            model_selection_expression=p.get("ModelSelectionExpression"),
            operation_name=p.get("OperationName"),
            request_models=p.get("RequestModels"),
            request_parameters=p.get("RequestParameters"),
            route_key=p.get("RouteKey"),
            route_response_selection_expression=p.get("RouteResponseSelectionExpression"),
            target=p.get("Target"),
        )

    def remove(self, api: Any, part_id: str) -> None:
        api.delete_route(part_id)


class IntegrationHandler(PartHandler):
    id_attribute = "IntegrationId"

    def make(self, api: Any, p: dict[str, Any]) -> Any:
        return api.create_integration(
            connection_type=p.get("ConnectionType") or "INTERNET",
            description=p.get("Description"),
            integration_method=p.get("IntegrationMethod"),
            integration_type=p.get("IntegrationType"),
            integration_uri=p.get("IntegrationUri"),
            connection_id=p.get("ConnectionId"),
            credentials_arn=p.get("CredentialsArn"),
            passthrough_behavior=p.get("PassthroughBehavior"),
            payload_format_version=p.get("PayloadFormatVersion"),
            request_parameters=p.get("RequestParameters"),
            request_templates=p.get("RequestTemplates"),
            template_selection_expression=p.get("TemplateSelectionExpression"),
            timeout_in_millis=p.get("TimeoutInMillis"),
        )

    def remove(self, api: Any, part_id: str) -> None:
        api.delete_integration(part_id)


class StageHandler(PartHandler):
    """`Ref` of a stage is its name."""

    required = ("ApiId", "StageName")

    def create(self, target: Target, properties: dict[str, Any]) -> tuple[Any, str]:
        config = wire(
            {k: v for k, v in properties.items() if k not in ("ApiId", "StageVariables", "Tags")}
        )
        config["stageVariables"] = properties.get("StageVariables") or {}
        config["tags"] = properties.get("Tags") or {}
        stage = backend(target).create_stage(properties["ApiId"], config)
        return stage, str(stage.name)

    def update(
        self, target: Target, resource: Resource, properties: dict[str, Any]
    ) -> tuple[Any, str]:
        """Only a new `ApiId` or `StageName` replaces a stage; its settings change in place
        (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigatewayv2-stage.html).
        A replacement under the same name would delete the stage it had just made."""
        identity = ("ApiId", "StageName")
        if any(properties.get(key) != resource.properties.get(key) for key in identity):
            return self._replace(target, resource, properties)
        return self.create(target, properties)  # the stage of that name is overwritten

    def remove(self, api: Any, part_id: str) -> None:
        api.delete_stage(part_id)

    def has_attribute(self, name: str) -> bool | None:
        return False


class DeploymentHandler(PartHandler):
    """moto's HTTP APIs deploy on every change, so a deployment is only an id to refer to."""

    id_attribute = "DeploymentId"

    def create(self, target: Target, properties: dict[str, Any]) -> tuple[Any, str]:
        backend(target).get_api(properties["ApiId"])
        deployment_id = uuid.uuid4().hex[:6]
        return deployment_id, deployment_id

    def remove(self, api: Any, part_id: str) -> None:
        """Nothing was made."""


def install() -> None:
    prefix = "AWS::ApiGatewayV2::"
    for handler in (
        ApiHandler(prefix + "Api"),
        AuthorizerHandler(prefix + "Authorizer"),
        RouteHandler(prefix + "Route"),
        IntegrationHandler(prefix + "Integration"),
        StageHandler(prefix + "Stage"),
        DeploymentHandler(prefix + "Deployment"),
    ):
        handlers.register(handler)
