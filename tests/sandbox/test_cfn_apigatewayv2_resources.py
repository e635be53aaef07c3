"""cfn_apigatewayv2_resources: APIs, authorizers, routes, integrations and stages made by
CloudFormation, and an OpenAPI Body with a JWT authorizer, visible through their own API."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.sandbox.cfn_support import create, outputs, settle, unique

Aws = Callable[[str], Any]
JWT = {"Audience": ["client"], "Issuer": "https://issuer.example.com"}


def test_api_parts_with_their_ids(aws: Aws) -> None:
    cfn, v2, name = aws("cloudformation"), aws("apigatewayv2"), unique("api")
    api = {"Ref": "Api"}
    done = create(
        cfn,
        name,
        {
            "Resources": {
                "Api": {
                    "Type": "AWS::ApiGatewayV2::Api",
                    "Properties": {"Name": name, "ProtocolType": "HTTP"},
                },
                "Auth": {
                    "Type": "AWS::ApiGatewayV2::Authorizer",
                    "Properties": {
                        "ApiId": api,
                        "AuthorizerType": "JWT",
                        "Name": "jwt",
                        "JwtConfiguration": JWT,
                        "IdentitySource": ["$request.header.Authorization"],
                    },
                },
                "Int": {
                    "Type": "AWS::ApiGatewayV2::Integration",
                    "Properties": {
                        "ApiId": api,
                        "IntegrationType": "HTTP_PROXY",
                        "IntegrationMethod": "GET",
                        "IntegrationUri": "https://example.com",
                        "PayloadFormatVersion": "1.0",
                    },
                },
                "Route": {
                    "Type": "AWS::ApiGatewayV2::Route",
                    "Properties": {
                        "ApiId": api,
                        "RouteKey": "GET /x",
                        "AuthorizationType": "JWT",
                        "AuthorizerId": {"Ref": "Auth"},
                        "Target": {"Fn::Sub": "integrations/${Int}"},
                    },
                },
                "Stage": {
                    "Type": "AWS::ApiGatewayV2::Stage",
                    "Properties": {"ApiId": api, "StageName": "$default", "AutoDeploy": True},
                },
            },
            "Outputs": {
                "Api": {"Value": api},
                "Auth": {"Value": {"Ref": "Auth"}},
                "Url": {"Value": {"Fn::GetAtt": ["Api", "ApiEndpoint"]}},
            },
        },
    )
    out = outputs(done)
    route = v2.get_routes(ApiId=out["Api"])["Items"][0]

    assert v2.get_api(ApiId=out["Api"])["ApiEndpoint"] == out["Url"]
    assert v2.get_authorizer(ApiId=out["Api"], AuthorizerId=out["Auth"])["JwtConfiguration"] == JWT
    assert (route["RouteKey"], route["AuthorizerId"]) == ("GET /x", out["Auth"])
    assert [s["StageName"] for s in v2.get_stages(ApiId=out["Api"])["Items"]] == ["$default"]


def test_openapi_body_makes_jwt_routes(aws: Aws) -> None:
    cfn, v2, name = aws("cloudformation"), aws("apigatewayv2"), unique("body")
    body = {
        "openapi": "3.0.1",
        "info": {"title": name, "version": "1"},
        "paths": {
            "/hello": {
                "get": {
                    "security": [{"Jwt": []}],
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy",
                        "httpMethod": "POST",
                        "payloadFormatVersion": "2.0",
                        "uri": "arn:aws:lambda:us-east-1:123456789012:function:f",
                    },
                }
            }
        },
        "components": {
            "securitySchemes": {
                "Jwt": {
                    "type": "oauth2",
                    "x-amazon-apigateway-authorizer": {
                        "type": "jwt",
                        "identitySource": "$request.header.Authorization",
                        "jwtConfiguration": {"issuer": JWT["Issuer"], "audience": JWT["Audience"]},
                    },
                }
            }
        },
    }
    done = create(
        cfn,
        name,
        {
            "Resources": {"Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Body": body}}},
            "Outputs": {"Api": {"Value": {"Ref": "Api"}}},
        },
    )
    api_id = outputs(done)["Api"]
    route = v2.get_routes(ApiId=api_id)["Items"][0]
    jwt = v2.get_authorizer(ApiId=api_id, AuthorizerId=route["AuthorizerId"])

    assert (route["RouteKey"], route["AuthorizationType"]) == ("GET /hello", "JWT")
    assert jwt["JwtConfiguration"] == JWT
    assert v2.get_api(ApiId=api_id)["Name"] == name


def _api_with_stage(stage: dict[str, Any]) -> dict[str, Any]:
    return {
        "Resources": {
            "Api": {
                "Type": "AWS::ApiGatewayV2::Api",
                "Properties": {"Name": "staged", "ProtocolType": "HTTP"},
            },
            "Stage": {
                "Type": "AWS::ApiGatewayV2::Stage",
                "Properties": {"ApiId": {"Ref": "Api"}, "StageName": "$default", **stage},
            },
        },
        "Outputs": {"Api": {"Value": {"Ref": "Api"}}},
    }


def test_a_stage_s_settings_change_in_place(aws: Aws) -> None:
    cfn, v2, name = aws("cloudformation"), aws("apigatewayv2"), unique("stage")
    api = outputs(create(cfn, name, _api_with_stage({"AutoDeploy": True})))["Api"]
    throttled = {"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50}
    cfn.update_stack(
        StackName=name,
        TemplateBody=json.dumps(_api_with_stage({"DefaultRouteSettings": throttled})),
    )
    status = settle(cfn, name)["StackStatus"]
    stages = v2.get_stages(ApiId=api)["Items"]

    assert status == "UPDATE_COMPLETE"
    assert [s["StageName"] for s in stages] == ["$default"]
    assert stages[0]["DefaultRouteSettings"]["ThrottlingRateLimit"] == 50
