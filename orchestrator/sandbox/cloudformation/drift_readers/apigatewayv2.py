"""Readers of API Gateway v2: APIs and their routes, stages, integrations and authorizers. A part
is found on the API its template names (`ApiId`); it is DELETED when either is gone."""

from __future__ import annotations

from typing import Any

from orchestrator.sandbox.cloudformation.drift_readers.shapes import Properties, pascal


def _api(account_id: str, region: str, api_id: Any) -> Any:
    from moto.apigatewayv2.models import apigatewayv2_backends

    return apigatewayv2_backends[account_id][region].apis.get(str(api_id))


def api(account_id: str, region: str, api_id: str, properties: Properties) -> Properties | None:
    found = _api(account_id, region, api_id)
    if found is None:
        return None
    return {
        "Name": found.name,
        "ProtocolType": found.protocol_type,
        "CorsConfiguration": pascal(found.cors_configuration),
        "RouteSelectionExpression": found.route_selection_expression,
        "Description": found.description,
    }


def _part(account_id: str, region: str, properties: Properties, kind: str, part_id: str) -> Any:
    found = _api(account_id, region, properties.get("ApiId"))
    return None if found is None else getattr(found, kind).get(part_id)


def route(account_id: str, region: str, route_id: str, properties: Properties) -> Properties | None:
    found = _part(account_id, region, properties, "routes", route_id)
    if found is None:
        return None
    return {
        "RouteKey": found.route_key,
        "Target": found.target,
        "AuthorizationType": found.authorization_type,
        "AuthorizerId": found.authorizer_id,
    }


def stage(account_id: str, region: str, name: str, properties: Properties) -> Properties | None:
    found = _part(account_id, region, properties, "stages", name)
    if found is None:
        return None
    return {
        "StageName": found.name,
        "AutoDeploy": found.auto_deploy,
        "Description": found.description,
        "StageVariables": found.stage_variables or None,
    }


def integration(
    account_id: str, region: str, integration_id: str, properties: Properties
) -> Properties | None:
    found = _part(account_id, region, properties, "integrations", integration_id)
    if found is None:
        return None
    return {
        "IntegrationType": found.integration_type,
        "IntegrationUri": found.integration_uri,
        "IntegrationMethod": found.integration_method,
        "PayloadFormatVersion": found.payload_format_version,
        "TimeoutInMillis": found.timeout_in_millis,
    }


def authorizer(
    account_id: str, region: str, authorizer_id: str, properties: Properties
) -> Properties | None:
    found = _part(account_id, region, properties, "authorizers", authorizer_id)
    if found is None:
        return None
    return {
        "Name": found.name,
        "AuthorizerType": found.authorizer_type,
        "IdentitySource": found.identity_source,
        "JwtConfiguration": pascal(found.jwt_config),
        "AuthorizerPayloadFormatVersion": found.auth_payload_format_version,
    }


READERS = {
    "AWS::ApiGatewayV2::Api": api,
    "AWS::ApiGatewayV2::Route": route,
    "AWS::ApiGatewayV2::Stage": stage,
    "AWS::ApiGatewayV2::Integration": integration,
    "AWS::ApiGatewayV2::Authorizer": authorizer,
}
