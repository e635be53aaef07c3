"""API Gateway v2 and its management API: GetAuthorizers, the `wss://` endpoint of WebSocket
APIs, and GoneException for connections that are not there."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from orchestrator.sandbox.server import RunningServer
from tests.sandbox.cfn_support import unique
from tests.sandbox_access import session

JWT = {"Audience": ["client123"], "Issuer": "https://issuer.example.com"}


@pytest.fixture
def api(aws: Any) -> Iterator[dict[str, Any]]:
    v2 = aws("apigatewayv2")
    created: dict[str, Any] = v2.create_api(Name=unique("http"), ProtocolType="HTTP")
    yield created
    v2.delete_api(ApiId=created["ApiId"])


def test_get_authorizers_lists_every_authorizer(aws: Any, api: dict[str, Any]) -> None:
    v2 = aws("apigatewayv2")
    ids = {
        v2.create_authorizer(
            ApiId=api["ApiId"],
            AuthorizerType="JWT",
            Name=name,
            JwtConfiguration=JWT,
            IdentitySource=["$request.header.Authorization"],
        )["AuthorizerId"]
        for name in ("one", "two")
    }

    listed = v2.get_authorizers(ApiId=api["ApiId"])["Items"]

    assert {a["AuthorizerId"] for a in listed} == ids
    assert all(a["JwtConfiguration"] == JWT for a in listed)


def test_get_authorizers_of_an_unknown_api_is_not_found(aws: Any) -> None:
    v2 = aws("apigatewayv2")

    with pytest.raises(v2.exceptions.NotFoundException):
        v2.get_authorizers(ApiId="nosuchid")


def test_a_websocket_api_has_a_wss_endpoint_and_an_http_api_the_engine_s_url(
    sandbox: RunningServer, aws: Any, api: dict[str, Any]
) -> None:
    v2 = aws("apigatewayv2")
    ws = v2.create_api(
        Name=unique("ws"), ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )
    try:
        fetched = v2.get_api(ApiId=ws["ApiId"])["ApiEndpoint"]
    finally:
        v2.delete_api(ApiId=ws["ApiId"])

    assert (
        ws["ApiEndpoint"] == fetched == f"wss://{ws['ApiId']}.execute-api.us-east-1.amazonaws.com"
    )
    # the engine serves an HTTP API on its own port (orchestrator.sandbox.apis)
    assert api["ApiEndpoint"] == f"{sandbox.endpoint}/_api/{api['ApiId']}"


@pytest.mark.parametrize("stage", ["", "/prod"])
@pytest.mark.parametrize("call", ["post_to_connection", "get_connection", "delete_connection"])
def test_an_unknown_connection_is_gone(sandbox: RunningServer, call: str, stage: str) -> None:
    # a handler's client names the API's URL with its stage; here the engine's URL stands in
    connections = session(sandbox.keys.client).client(
        "apigatewaymanagementapi", endpoint_url=sandbox.endpoint + stage
    )
    arguments: dict[str, Any] = {"ConnectionId": "bm90LWNvbm5lY3RlZA="}
    if call == "post_to_connection":
        arguments["Data"] = b'{"status": "done"}'

    with pytest.raises(connections.exceptions.GoneException) as raised:
        getattr(connections, call)(**arguments)

    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410
    assert raised.value.response["Error"]["Message"] == "Connection bm90LWNvbm5lY3RlZA= is gone"
