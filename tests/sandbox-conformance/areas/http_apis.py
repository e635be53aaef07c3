"""HTTP APIs served as API Gateway serves them, called over HTTP at the API's ApiEndpoint:
routing ("Working with routes for HTTP APIs": the most specific route wins, `{param}` values in
pathParameters, 404 `{"message":"Not Found"}` without a route), the JWT authorizer ("Controlling
access to HTTP APIs with JWT authorizers": a Cognito token of the configured issuer and audience
passes, no token or another pool's token gets 401 `{"message":"Unauthorized"}`) and Lambda
permissions ("Working with AWS Lambda proxy integrations for HTTP APIs": without a resource policy
that lets apigateway.amazonaws.com invoke the function, 500 `{"message":"Internal Server
Error"}`). The authorizer's issuer is read from the pool's own token, so the checks hold on AWS
and on an engine that names itself as the issuer."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

from engine import Engine, Verdicts, items
from fixtures import function, role, zip_bytes

AREA = "http_api"
PASSWORD = "Probe-password-42!"
ECHO = zip_bytes(
    {
        "app.py": """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(
        {"routeKey": event["routeKey"], "pathParameters": event.get("pathParameters")})}
"""
    }
)


def call(url: str, token: str | None = None) -> tuple[int, object]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"null")


def until_status(engine: Engine, url: str, status: int, token: str | None = None) -> tuple:
    """The answer once it has `status` (a new route or permission takes a moment on AWS)."""
    return engine.until(lambda: call(url, token), lambda answer: answer[0] == status)


def echo_function(engine: Engine, stem: str) -> str:
    """An echo function's ARN."""
    name = function(engine, stem, role(engine, f"{stem}-role"), "app.handler", {"ZipFile": ECHO})
    return engine.client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def allow(engine: Engine, function_arn: str, api_id: str) -> None:
    account = engine.client("sts").get_caller_identity()["Account"]
    engine.client("lambda").add_permission(
        FunctionName=function_arn,
        StatementId="api",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:us-east-1:{account}:{api_id}/*/*",
    )


def http_api(engine: Engine, stem: str) -> tuple[str, str]:
    """A new HTTP API with its `$default` stage: its id and endpoint."""
    v2 = engine.client("apigatewayv2")
    api = v2.create_api(Name=engine.name(stem), ProtocolType="HTTP")
    engine.defer(v2.delete_api, ApiId=api["ApiId"])
    v2.create_stage(ApiId=api["ApiId"], StageName="$default", AutoDeploy=True)
    return api["ApiId"], api["ApiEndpoint"]


def route_to(engine: Engine, api_id: str, function_arn: str, *keys: str, **auth: object) -> None:
    v2 = engine.client("apigatewayv2")
    integration = v2.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=function_arn,
        PayloadFormatVersion="2.0",
    )["IntegrationId"]
    for key in keys:
        v2.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{integration}", **auth)


def pool_token(engine: Engine, stem: str) -> tuple[str, str]:
    """An ID token of a new user of a new pool, and the pool's app client id."""
    cognito = engine.client("cognito-idp")
    pool = cognito.create_user_pool(PoolName=engine.name(stem))["UserPool"]["Id"]
    engine.defer(cognito.delete_user_pool, UserPoolId=pool)
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="probe",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool, Username="probe", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(
        UserPoolId=pool, Username="probe", Password=PASSWORD, Permanent=True
    )
    signed_in = cognito.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "probe", "PASSWORD": PASSWORD},
    )
    return signed_in["AuthenticationResult"]["IdToken"], client


def issuer_of(token: str) -> str:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["iss"]


@items("most_specific_route", "path_parameters", "no_route_404")
def routing(engine: Engine, verdict: Verdicts) -> None:
    api_id, endpoint = http_api(engine, "routes")
    fn = echo_function(engine, "routes-fn")
    allow(engine, fn, api_id)
    route_to(engine, api_id, fn, "GET /items/{id}", "GET /items/special", "ANY /{proxy+}")
    special = until_status(engine, f"{endpoint}/items/special", 200)
    verdict("most_specific_route", special[1].get("routeKey") == "GET /items/special", special)
    item = call(f"{endpoint}/items/42")
    verdict(
        "path_parameters",
        item == (200, {"routeKey": "GET /items/{id}", "pathParameters": {"id": "42"}}),
        item,
    )
    v2 = engine.client("apigatewayv2")
    proxy = next(r for r in v2.get_routes(ApiId=api_id)["Items"] if "proxy" in r["RouteKey"])
    v2.delete_route(ApiId=api_id, RouteId=proxy["RouteId"])
    missing = until_status(engine, f"{endpoint}/nothing/here", 404)
    verdict("no_route_404", missing == (404, {"message": "Not Found"}), missing)


@items("pool_token_passes", "no_token_401", "foreign_token_401")
def jwt_authorizer(engine: Engine, verdict: Verdicts) -> None:
    token, client = pool_token(engine, "users")
    foreign, _ = pool_token(engine, "others")
    api_id, endpoint = http_api(engine, "jwt")
    authorizer = engine.client("apigatewayv2").create_authorizer(
        ApiId=api_id,
        Name="cognito",
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Issuer": issuer_of(token), "Audience": [client]},
    )["AuthorizerId"]
    fn = echo_function(engine, "jwt-fn")
    allow(engine, fn, api_id)
    route_to(engine, api_id, fn, "GET /mine", AuthorizationType="JWT", AuthorizerId=authorizer)
    passed = until_status(engine, f"{endpoint}/mine", 200, token)
    verdict("pool_token_passes", passed[0] == 200, passed)
    anonymous = call(f"{endpoint}/mine")
    verdict("no_token_401", anonymous == (401, {"message": "Unauthorized"}), anonymous)
    other = call(f"{endpoint}/mine", foreign)
    verdict("foreign_token_401", other == (401, {"message": "Unauthorized"}), other)


@items("no_permission_500", "permission_allows")
def lambda_permission(engine: Engine, verdict: Verdicts) -> None:
    api_id, endpoint = http_api(engine, "permission")
    fn = echo_function(engine, "permission-fn")
    route_to(engine, api_id, fn, "GET /guarded")
    refused = until_status(engine, f"{endpoint}/guarded", 500)
    verdict("no_permission_500", refused == (500, {"message": "Internal Server Error"}), refused)
    allow(engine, fn, api_id)
    allowed = until_status(engine, f"{endpoint}/guarded", 200)
    verdict("permission_allows", allowed[0] == 200, allowed)


CHECKS = [routing, jwt_authorizer, lambda_permission]
