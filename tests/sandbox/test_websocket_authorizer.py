"""A Lambda REQUEST authorizer on `$connect`: its policy opens or refuses the handshake, its
context reaches the `$connect` integration, a missing identity source is 401 without a call."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus

from orchestrator.sandbox.server import RunningServer
from tests.sandbox.cfn_support import unique
from tests.sandbox.lambda_support import function
from tests.sandbox.websocket_support import (
    ServedApi,
    answer,
    open_client,
    recorded_event,
    served_api,
)

pytestmark = pytest.mark.slow

AUTHORIZER = """
def handler(event, context):
    token = event["queryStringParameters"]["token"]
    if token == "broken":
        raise RuntimeError("the authorizer broke")
    effect = "Allow" if token == "allow" else "Deny"
    statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}
    return {
        "principalId": "operator-1",
        "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        "context": {"tenant": "firefly"},
    }
"""


@pytest.fixture(scope="module")
def api(aws: Callable[[str], Any], lambda_role: str, sandbox: RunningServer) -> Iterator[ServedApi]:
    with (
        served_api(aws, lambda_role, sandbox) as served,
        function(aws, lambda_role, AUTHORIZER) as authorizer_function,
    ):
        _guard_connect(aws, served.api_id, authorizer_function)
        yield served


def _guard_connect(aws: Callable[[str], Any], api_id: str, name: str) -> None:
    v2, lam = aws("apigatewayv2"), aws("lambda")
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    region, account = arn.split(":")[3:5]
    authorizer = v2.create_authorizer(
        ApiId=api_id,
        Name="token",
        AuthorizerType="REQUEST",
        IdentitySource=["route.request.querystring.token"],
        AuthorizerUri=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations",
    )["AuthorizerId"]
    lam.add_permission(
        FunctionName=name,
        StatementId=unique("authorizer"),
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{region}:{account}:{api_id}/authorizers/{authorizer}",
    )
    connect = next(r for r in v2.get_routes(ApiId=api_id)["Items"] if r["RouteKey"] == "$connect")
    v2.update_route(
        ApiId=api_id,
        RouteId=connect["RouteId"],
        AuthorizationType="CUSTOM",
        AuthorizerId=authorizer,
    )


def test_an_allowed_handshake_connects_and_hands_on_the_authorizer_context(
    aws: Any, api: ServedApi
) -> None:
    with open_client(f"{api.url}?token=allow") as client:
        client.send(json.dumps({"action": "echo"}))
        connection_id = answer(client)["connectionId"]

    event = recorded_event(aws, api, f"connect/{connection_id}")
    assert event["requestContext"]["authorizer"] == {
        "principalId": "operator-1",
        "tenant": "firefly",
    }


@pytest.mark.parametrize(
    ("query", "status"),
    [("?token=deny", 403), ("", 401), ("?other=allow", 401), ("?token=broken", 500)],
)
def test_a_handshake_the_authorizer_does_not_allow_is_refused(
    api: ServedApi, query: str, status: int
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        open_client(f"{api.url}{query}")

    assert refused.value.response.status_code == status
