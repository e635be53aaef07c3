"""WebSocket APIs as clients and backends reach them: a client connects to the URL CloudFormation
gives (`Fn::GetAtt Api.ApiEndpoint` plus the stage), `$connect` runs the route's Lambda (and
without a permission for API Gateway the handshake is refused), a message takes the route its
`action` names or `$default`, and `@connections` at the same URL posts to the client, describes
the connection, closes it, and answers GoneException once it is closed ("Manage connected users
and client apps", "Working with routes for WebSocket APIs", "Use @connections commands in your
backend service", API Gateway Developer Guide)."""

from __future__ import annotations

import json
import os

import boto3
from engine import REGION, Engine, Verdicts, error_code, items
from fixtures import trust
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from stacks import create

AREA = "websocket"
STAGE = "probe"
# a message route's function tells the client which route ran and who it is
HANDLER = """
import json, os, boto3

def handler(event, context):
    ctx = event["requestContext"]
    if ctx["eventType"] != "MESSAGE":
        return {"statusCode": 200}
    url = os.environ["URL"].replace("wss://", "https://", 1).replace("ws://", "http://", 1)
    client = boto3.client("apigatewaymanagementapi", endpoint_url=url)
    told = {"route": ctx["routeKey"], "connectionId": ctx["connectionId"]}
    client.post_to_connection(ConnectionId=ctx["connectionId"], Data=json.dumps(told).encode())
    return {"statusCode": 200}
"""
MANAGE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "execute-api:ManageConnections", "Resource": "*"}],
}


def _route(key: str) -> dict:
    return {
        "Type": "AWS::ApiGatewayV2::Route",
        "Properties": {
            "ApiId": {"Ref": "Api"},
            "RouteKey": key,
            "AuthorizationType": "NONE",
            "Target": {"Fn::Sub": "integrations/${Integration}"},
        },
    }


def template(permitted: bool) -> dict:
    url = {"Fn::Sub": "${Api.ApiEndpoint}/" + STAGE}
    resources = {
        "Api": {
            "Type": "AWS::ApiGatewayV2::Api",
            "Properties": {
                "Name": "probe-ws",
                "ProtocolType": "WEBSOCKET",
                "RouteSelectionExpression": "$request.body.action",
            },
        },
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": trust("lambda.amazonaws.com"),
                "Policies": [{"PolicyName": "manage", "PolicyDocument": MANAGE}],
            },
        },
        "Fn": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": "python3.11",
                "Handler": "index.handler",
                "Timeout": 30,
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "Code": {"ZipFile": HANDLER},
                "Environment": {"Variables": {"URL": url}},
            },
        },
        "Integration": {
            "Type": "AWS::ApiGatewayV2::Integration",
            "Properties": {
                "ApiId": {"Ref": "Api"},
                "IntegrationType": "AWS_PROXY",
                "IntegrationMethod": "POST",
                "IntegrationUri": {
                    "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:"
                    "path/2015-03-31/functions/${Fn.Arn}/invocations"
                },
            },
        },
        "Connect": _route("$connect"),
        "Default": _route("$default"),
        "WhoAmI": _route("whoami"),
        "Stage": {
            "Type": "AWS::ApiGatewayV2::Stage",
            "DependsOn": ["Connect", "Default", "WhoAmI"],
            "Properties": {"ApiId": {"Ref": "Api"}, "StageName": STAGE, "AutoDeploy": True},
        },
    }
    if permitted:
        resources["Permission"] = {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Ref": "Fn"},
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": {
                    "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:"
                    "${AWS::AccountId}:${Api}/*"
                },
            },
        }
    return {"Resources": resources, "Outputs": {"Url": {"Value": url}}}


def websocket_url(engine: Engine, stem: str, permitted: bool = True) -> str:
    """The URL of a fresh WebSocket API stack's stage."""
    stack = create(engine, engine.name(stem), template(permitted))
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise AssertionError(f"stack {stack['StackName']} ended {stack['StackStatus']}")
    return next(o["OutputValue"] for o in stack["Outputs"] if o["OutputKey"] == "Url")


def management(url: str):
    """A management client at the API's own URL, signing as the engine's clients do."""
    endpoint = url.replace("wss://", "https://", 1).replace("ws://", "http://", 1)
    return boto3.session.Session(
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
        region_name=REGION,
    ).client("apigatewaymanagementapi", endpoint_url=endpoint)


def told(client, engine: Engine) -> dict:
    return json.loads(client.recv(timeout=engine.patience))


@items(
    "connect",
    "route_selection",
    "post_delivered",
    "get_connection",
    "delete_closes",
    "gone_after_close",
)
def delivery(engine: Engine, verdict: Verdicts) -> None:
    url = websocket_url(engine, "ws")
    connections = management(url)
    with connect(url, open_timeout=engine.patience, close_timeout=5) as client:
        verdict("connect", True, url)
        client.send(json.dumps({"action": "whoami"}))
        named = told(client, engine)
        client.send("not json")
        default = told(client, engine)
        verdict(
            "route_selection",
            (named["route"], default["route"]) == ("whoami", "$default"),
            f"{named}; {default}",
        )
        connection_id = named["connectionId"]
        connections.post_to_connection(ConnectionId=connection_id, Data=b'{"probe": 1}')
        verdict("post_delivered", told(client, engine) == {"probe": 1}, "")
        described = connections.get_connection(ConnectionId=connection_id)
        verdict("get_connection", "ConnectedAt" in described and "Identity" in described, described)
        connections.delete_connection(ConnectionId=connection_id)
        try:
            client.recv(timeout=engine.patience)
            closed = False
        except ConnectionClosed:
            closed = True
        verdict("delete_closes", closed, f"close code {client.close_code}")
    gone = engine.until(
        lambda: error_code(
            lambda: connections.post_to_connection(ConnectionId=connection_id, Data=b"{}")
        ),
        lambda code: code == "GoneException",
    )
    verdict("gone_after_close", gone == "GoneException", f"post_to_connection: {gone}")


@items("connect_without_permission_refused")
def unpermitted(engine: Engine, verdict: Verdicts) -> None:
    url = websocket_url(engine, "ws-nope", permitted=False)
    try:
        with connect(url, open_timeout=engine.patience):
            status = 101
    except InvalidStatus as refused:
        status = refused.response.status_code
    verdict("connect_without_permission_refused", status == 500, f"handshake answered {status}")


CHECKS = [delivery, unpermitted]
