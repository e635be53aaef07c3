"""An HTTP API with a Lambda proxy integration, a Cognito pool and a JWT authorizer, made on the
test session's engine through the AWS APIs, for the served-API tests and probes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.sandbox.cfn_support import unique

ECHO = """
import json, time
def handler(event, context):
    mode = (event.get("queryStringParameters") or {}).get("mode", "echo")
    if mode == "slow":  # longer than an integration that waits 50 ms
        time.sleep(0.5)
    if mode == "raise":
        raise RuntimeError("the handler failed")
    if mode == "plain":
        return {"hello": "world"}
    if mode == "binary":
        return {"statusCode": 200, "body": "AAEC", "isBase64Encoded": True}
    return {
        "statusCode": 201,
        "headers": {"x-echo": "yes", "access-control-allow-origin": "https://elsewhere.example"},
        "cookies": ["flavour=oat"],
        "body": json.dumps(event),
    }
"""
PASSWORD = "Correct-horse-9-battery"


@dataclass(frozen=True)
class Pool:
    pool_id: str
    client_id: str
    issuer: str


def make_pool(aws: Callable[[str], Any], endpoint: str, flows: list[str] | None = None) -> Pool:
    cognito = aws("cognito-idp")
    pool = cognito.create_user_pool(PoolName=unique("pool"), UsernameAttributes=["email"])
    pool_id = pool["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="operators",
        ExplicitAuthFlows=flows or ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )
    return Pool(pool_id, client["UserPoolClient"]["ClientId"], f"{endpoint}/{pool_id}")


def sign_in(aws: Callable[[str], Any], pool: Pool) -> dict[str, str]:
    """A new user of `pool` signed in (ADMIN_USER_PASSWORD_AUTH): its tokens."""
    return signed_in_user(aws, pool.pool_id, pool.client_id)[1]


def signed_in_user(
    aws: Callable[[str], Any], pool_id: str, client_id: str
) -> tuple[str, dict[str, str]]:
    """A new user of the pool, signed in through `client_id` (ADMIN_USER_PASSWORD_AUTH): its
    name and tokens."""
    cognito, email = aws("cognito-idp"), f"{unique('user')}@example.com"
    cognito.admin_create_user(UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=email, Password=PASSWORD, Permanent=True
    )
    answer = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )
    return email, dict(answer["AuthenticationResult"])


def add_route(
    aws: Callable[[str], Any], api_id: str, key: str, integration_id: str, **auth: Any
) -> str:
    route = aws("apigatewayv2").create_route(
        ApiId=api_id, RouteKey=key, Target=f"integrations/{integration_id}", **auth
    )
    return str(route["RouteId"])


def add_integration(
    aws: Callable[[str], Any], api_id: str, function_arn: str, **settings: Any
) -> str:
    integration = aws("apigatewayv2").create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=function_arn,
        PayloadFormatVersion="2.0",
        **settings,
    )
    return str(integration["IntegrationId"])


def allow_api(aws: Callable[[str], Any], function_name: str, source_arn: str) -> None:
    aws("lambda").add_permission(
        FunctionName=function_name,
        StatementId=unique("api"),
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=source_arn,
    )


def account_id(aws: Callable[[str], Any]) -> str:
    return str(aws("sts").get_caller_identity()["Account"])
