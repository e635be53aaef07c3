"""cfn_drift for each type this system deploys beyond tables: a property changed out of band with
the service's own API is MODIFIED at its path with both values; the untouched resource is
IN_SYNC. Policy documents and definitions compare as JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.sandbox.cfn_support import LAMBDA_TRUST, create, inline_function, unique
from tests.sandbox.test_cfn_drift import detected, drift_of

Aws = Callable[[str], Any]


def statement(action: str, resource: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource}
        ],
    }


def in_sync(cfn: Any, name: str, *logical_ids: str) -> bool:
    detected(cfn, name)
    return all(
        drift_of(cfn, name, lid)["StackResourceDriftStatus"] == "IN_SYNC" for lid in logical_ids
    )


def differences(cfn: Any, name: str, logical_id: str) -> list[tuple[str, str, str, str]]:
    """The resource's drift status and its (path, expected, actual, type) differences."""
    drift = drift_of(cfn, name, logical_id)
    assert drift["StackResourceDriftStatus"] == "MODIFIED", drift
    return sorted(
        (d["PropertyPath"], d["ExpectedValue"], d["ActualValue"], d["DifferenceType"])
        for d in drift["PropertyDifferences"]
    )


def test_a_bucket_policy_changed_out_of_band_is_drift(aws: Aws) -> None:
    cfn, s3, name = aws("cloudformation"), aws("s3"), unique("bpolicy")
    document = statement("s3:GetObject", f"arn:aws:s3:::{name}/*")
    create(
        cfn,
        name,
        {
            "Resources": {
                "B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": name}},
                "P": {
                    "Type": "AWS::S3::BucketPolicy",
                    "Properties": {"Bucket": {"Ref": "B"}, "PolicyDocument": document},
                },
            }
        },
    )
    assert in_sync(cfn, name, "B", "P")
    s3.put_bucket_policy(
        Bucket=name, Policy=json.dumps(statement("s3:PutObject", f"arn:aws:s3:::{name}/*"))
    )

    detected(cfn, name)

    assert differences(cfn, name, "P") == [
        ("/PolicyDocument/Statement/0/Action", "s3:GetObject", "s3:PutObject", "NOT_EQUAL")
    ]


def function_resources() -> dict[str, Any]:
    return inline_function("def handler(event, context):\n    return event\n")


def test_a_lambda_permission_granted_to_another_source_is_drift(aws: Aws) -> None:
    cfn, lam, name = aws("cloudformation"), aws("lambda"), unique("perm")
    permission = {
        "FunctionName": {"Ref": "Fn"},
        "Action": "lambda:InvokeFunction",
        "Principal": "s3.amazonaws.com",
        "SourceArn": "arn:aws:s3:::uploads-a",
    }
    resources = {**function_resources(), "Allow": {"Type": "AWS::Lambda::Permission"}}
    resources["Allow"]["Properties"] = permission
    create(cfn, name, {"Resources": resources})
    assert in_sync(cfn, name, "Allow")
    function = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Fn")
    function_name = function["StackResourceDetail"]["PhysicalResourceId"]
    policy = json.loads(lam.get_policy(FunctionName=function_name)["Policy"])
    sid = policy["Statement"][0]["Sid"]
    lam.remove_permission(FunctionName=function_name, StatementId=sid)
    lam.add_permission(
        FunctionName=function_name,
        StatementId=sid,
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::uploads-b",
    )

    detected(cfn, name)

    assert differences(cfn, name, "Allow") == [
        ("/SourceArn", "arn:aws:s3:::uploads-a", "arn:aws:s3:::uploads-b", "NOT_EQUAL")
    ]


def test_permissions_granting_one_principal_several_sources_are_each_in_sync(aws: Aws) -> None:
    cfn, name = aws("cloudformation"), unique("perms")
    resources = function_resources()
    for logical_id, route in (("Get", "GET/a"), ("Post", "POST/b")):
        resources[logical_id] = {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "FunctionName": {"Ref": "Fn"},
                "Action": "lambda:InvokeFunction",
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": f"arn:aws:execute-api:us-east-1:123456789012:api/*/{route}",
            },
        }
    create(cfn, name, {"Resources": resources})

    assert in_sync(cfn, name, "Get", "Post")


def test_an_iam_role_changed_out_of_band_is_drift(aws: Aws) -> None:
    cfn, iam, name = aws("cloudformation"), aws("iam"), unique("role")
    inline = {"PolicyName": "read", "PolicyDocument": statement("s3:GetObject", "*")}
    role = {
        "RoleName": name,
        "AssumeRolePolicyDocument": LAMBDA_TRUST,
        "Description": "runs the uploader",
        "MaxSessionDuration": 3600,
        "Policies": [inline],
        "Tags": [{"Key": "team", "Value": "fw"}],
    }
    create(cfn, name, {"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": role}}})
    assert in_sync(cfn, name, "R")
    # the description is passed again: moto's UpdateRole clears one it is not given
    iam.update_role(RoleName=name, Description="runs the uploader", MaxSessionDuration=7200)

    detected(cfn, name)

    assert differences(cfn, name, "R") == [("/MaxSessionDuration", "3600", "7200", "NOT_EQUAL")]


def test_iam_inline_and_managed_policies_changed_out_of_band_are_drift(aws: Aws) -> None:
    cfn, iam, name = aws("cloudformation"), aws("iam"), unique("policies")
    reading = statement("s3:GetObject", "*")
    create(
        cfn,
        name,
        {
            "Resources": {
                "R": {
                    "Type": "AWS::IAM::Role",
                    "Properties": {"RoleName": name, "AssumeRolePolicyDocument": LAMBDA_TRUST},
                },
                "Inline": {
                    "Type": "AWS::IAM::Policy",
                    "Properties": {
                        "PolicyName": "read",
                        "PolicyDocument": reading,
                        "Roles": [{"Ref": "R"}],
                    },
                },
                "Managed": {
                    "Type": "AWS::IAM::ManagedPolicy",
                    "Properties": {"PolicyDocument": reading},
                },
            }
        },
    )
    assert in_sync(cfn, name, "Inline", "Managed")
    writing = json.dumps(statement("s3:PutObject", "*"))
    iam.put_role_policy(RoleName=name, PolicyName="read", PolicyDocument=writing)
    arn = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Managed")[
        "StackResourceDetail"
    ]["PhysicalResourceId"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=writing, SetAsDefault=True)

    detected(cfn, name)

    changed = ("/PolicyDocument/Statement/0/Action", "s3:GetObject", "s3:PutObject", "NOT_EQUAL")
    assert differences(cfn, name, "Inline") == [changed]
    assert differences(cfn, name, "Managed") == [changed]


def http_api_resources() -> dict[str, Any]:
    api = {"Ref": "Api"}
    return {
        "Api": {
            "Type": "AWS::ApiGatewayV2::Api",
            "Properties": {
                "Name": "uploads",
                "ProtocolType": "HTTP",
                "CorsConfiguration": {"AllowOrigins": ["https://a.example"]},
            },
        },
        "Backend": {
            "Type": "AWS::ApiGatewayV2::Integration",
            "Properties": {
                "ApiId": api,
                "IntegrationType": "HTTP_PROXY",
                "IntegrationMethod": "GET",
                "IntegrationUri": "https://backend-a.example",
                "PayloadFormatVersion": "1.0",
            },
        },
        "Jwt": {
            "Type": "AWS::ApiGatewayV2::Authorizer",
            "Properties": {
                "ApiId": api,
                "Name": "jwt",
                "AuthorizerType": "JWT",
                "IdentitySource": ["$request.header.Authorization"],
                "JwtConfiguration": {"Audience": ["app"], "Issuer": "https://issuer.example"},
            },
        },
        "Get": {
            "Type": "AWS::ApiGatewayV2::Route",
            "Properties": {
                "ApiId": api,
                "RouteKey": "GET /uploads",
                "AuthorizationType": "NONE",
                "Target": {"Fn::Join": ["/", ["integrations", {"Ref": "Backend"}]]},
            },
        },
        "Live": {
            "Type": "AWS::ApiGatewayV2::Stage",
            "Properties": {"ApiId": api, "StageName": "live", "AutoDeploy": True},
        },
    }


def test_api_gateway_v2_parts_changed_out_of_band_are_drift(aws: Aws) -> None:
    cfn, apis, name = aws("cloudformation"), aws("apigatewayv2"), unique("httpapi")
    create(cfn, name, {"Resources": http_api_resources()})
    parts = ("Api", "Backend", "Jwt", "Get", "Live")
    assert in_sync(cfn, name, *parts)
    ids = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.describe_stack_resources(StackName=name)["StackResources"]
    }
    api_id = ids["Api"]
    apis.update_api(ApiId=api_id, CorsConfiguration={"AllowOrigins": ["https://b.example"]})
    apis.update_integration(
        ApiId=api_id, IntegrationId=ids["Backend"], IntegrationUri="https://backend-b.example"
    )
    apis.update_authorizer(ApiId=api_id, AuthorizerId=ids["Jwt"], Name="jwt2")
    apis.update_route(ApiId=api_id, RouteId=ids["Get"], RouteKey="GET /files")
    apis.create_stage(ApiId=api_id, StageName="live", AutoDeploy=False)  # replaces it

    detected(cfn, name)

    assert {lid: differences(cfn, name, lid) for lid in parts} == {
        "Api": [
            (
                "/CorsConfiguration/AllowOrigins/0",
                "https://a.example",
                "https://b.example",
                "NOT_EQUAL",
            )
        ],
        "Backend": [
            (
                "/IntegrationUri",
                "https://backend-a.example",
                "https://backend-b.example",
                "NOT_EQUAL",
            )
        ],
        "Jwt": [("/Name", "jwt", "jwt2", "NOT_EQUAL")],
        "Get": [("/RouteKey", "GET /uploads", "GET /files", "NOT_EQUAL")],
        "Live": [("/AutoDeploy", "true", "false", "NOT_EQUAL")],
    }


def test_a_cognito_pool_and_client_changed_out_of_band_are_drift(aws: Aws) -> None:
    cfn, idp, name = aws("cloudformation"), aws("cognito-idp"), unique("pool")
    flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    pool = {
        "UserPoolName": name,
        "Policies": {"PasswordPolicy": {"MinimumLength": 8}},
        "AutoVerifiedAttributes": ["email"],
        "UsernameAttributes": ["email"],
    }
    client = {"UserPoolId": {"Ref": "Pool"}, "ExplicitAuthFlows": flows, "GenerateSecret": False}
    create(
        cfn,
        name,
        {
            "Resources": {
                "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": pool},
                "Client": {"Type": "AWS::Cognito::UserPoolClient", "Properties": client},
            }
        },
    )
    assert in_sync(cfn, name, "Pool", "Client")
    ids = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.describe_stack_resources(StackName=name)["StackResources"]
    }
    idp.update_user_pool(
        UserPoolId=ids["Pool"],
        Policies={"PasswordPolicy": {"MinimumLength": 12}},
        AutoVerifiedAttributes=["email"],
    )
    idp.update_user_pool_client(
        UserPoolId=ids["Pool"],
        ClientId=ids["Client"],
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )

    detected(cfn, name)

    assert differences(cfn, name, "Pool") == [
        ("/Policies/PasswordPolicy/MinimumLength", "8", "12", "NOT_EQUAL")
    ]
    assert differences(cfn, name, "Client") == [
        ("/ExplicitAuthFlows/0", "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "NOT_EQUAL")
    ]


def passing(result: str) -> str:
    """A one-state definition; its explicit null `ResultPath` (discard the input) must match."""
    state = {"Type": "Pass", "Result": result, "ResultPath": None, "End": True}
    return json.dumps({"StartAt": "P", "States": {"P": state}})


def test_a_state_machine_definition_changed_out_of_band_is_drift(aws: Aws) -> None:
    cfn, sfn, name = aws("cloudformation"), aws("stepfunctions"), unique("machine")
    role_arn = "arn:aws:iam::123456789012:role/machine"
    machine = {"DefinitionString": passing("one"), "RoleArn": role_arn}
    create(
        cfn,
        name,
        {"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": machine}}},
    )
    assert in_sync(cfn, name, "M")
    arn = cfn.describe_stack_resource(StackName=name, LogicalResourceId="M")["StackResourceDetail"][
        "PhysicalResourceId"
    ]
    sfn.update_state_machine(stateMachineArn=arn, definition=passing("two"))

    detected(cfn, name)

    assert differences(cfn, name, "M") == [
        ("/DefinitionString/States/P/Result", "one", "two", "NOT_EQUAL")
    ]
