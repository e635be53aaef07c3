"""A WebSocket API served by the test session's engine, its routes backed by one Lambda function
that tells what it saw: `$connect` and `$disconnect` events are kept as S3 objects, a message
is answered through `@connections` with its route and body."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from websockets.sync.client import ClientConnection, connect

from orchestrator.sandbox.server import RunningServer
from tests.sandbox.cfn_support import unique
from tests.sandbox.lambda_support import function
from tests.waiting import wait_until

STAGE = "test"
RECEIVE_SECONDS = 60.0  # a bound for a loaded machine, not a pause

HANDLER = """
import json, os, boto3

def handler(event, context):
    ctx = event["requestContext"]
    route, connection = ctx["routeKey"], ctx["connectionId"]
    if route in ("$connect", "$disconnect"):
        boto3.client("s3").put_object(
            Bucket=os.environ["BUCKET"], Key=f"{route[1:]}/{connection}", Body=json.dumps(event)
        )
        refused = (event.get("queryStringParameters") or {}).get("refuse")
        return {"statusCode": int(refused), "body": "refused"} if refused else {"statusCode": 200}
    client = boto3.client("apigatewaymanagementapi", endpoint_url=os.environ["MANAGEMENT"])
    answer = {"route": route, "body": event["body"], "connectionId": connection}
    client.post_to_connection(ConnectionId=connection, Data=json.dumps(answer).encode())
    return {"statusCode": 200}
"""


@dataclass(frozen=True)
class ServedApi:
    api_id: str
    bucket: str
    endpoint: str  # the engine's

    @property
    def url(self) -> str:
        """Path-style, as the sandbox hands it out."""
        return f"{self.endpoint.replace('http://', 'ws://')}/_api/{self.api_id}/{STAGE}"

    @property
    def management(self) -> str:
        return self.url.replace("ws://", "http://")


def make_api(aws: Callable[[str], Any], function_arn: str, permitted: bool) -> str:
    """A WebSocket API whose `$connect`, `$disconnect`, `$default` and `echo` routes invoke
    `function_arn`, allowed to when `permitted`."""
    v2 = aws("apigatewayv2")
    api_id = v2.create_api(
        Name=unique("ws"), ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]
    region, account = function_arn.split(":")[3:5]
    uri = f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    integration = v2.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationMethod="POST", IntegrationUri=uri
    )["IntegrationId"]
    for key in ("$connect", "$disconnect", "$default", "echo"):
        v2.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{integration}")
    v2.create_stage(ApiId=api_id, StageName=STAGE)
    if permitted:
        aws("lambda").add_permission(
            FunctionName=function_arn,
            StatementId=unique("ws"),
            Action="lambda:InvokeFunction",
            Principal="apigateway.amazonaws.com",
            SourceArn=f"arn:aws:execute-api:{region}:{account}:{api_id}/*",
        )
    return str(api_id)


@contextmanager
def served_api(
    aws: Callable[[str], Any], lambda_role: str, sandbox: RunningServer, *, permitted: bool = True
) -> Iterator[ServedApi]:
    s3, bucket = aws("s3"), unique("ws-events")
    s3.create_bucket(Bucket=bucket)
    with function(aws, lambda_role, HANDLER, Timeout=30) as name:
        arn = aws("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]
        api_id = make_api(aws, arn, permitted)
        served = ServedApi(api_id, bucket, sandbox.endpoint)
        variables = {"BUCKET": bucket, "MANAGEMENT": served.management}
        aws("lambda").update_function_configuration(
            FunctionName=name, Environment={"Variables": variables}
        )
        try:
            yield served
        finally:
            aws("apigatewayv2").delete_api(ApiId=api_id)


def recorded_event(aws: Callable[[str], Any], api: ServedApi, key: str) -> dict[str, Any]:
    """The event the function kept under `key` (`connect/{id}`), once it is there."""
    s3 = aws("s3")

    def kept() -> dict[str, Any] | None:
        listed = s3.list_objects_v2(Bucket=api.bucket, Prefix=key).get("Contents", [])
        if not listed:
            return None
        event: dict[str, Any] = json.loads(s3.get_object(Bucket=api.bucket, Key=key)["Body"].read())
        return event

    return wait_until(kept, f"the function to keep {key}")


def answer(client: ClientConnection) -> dict[str, Any]:
    """The next message the client receives, as JSON."""
    message = client.recv(timeout=RECEIVE_SECONDS)
    decoded: dict[str, Any] = json.loads(message)
    return decoded


def open_client(url: str, **kwargs: Any) -> ClientConnection:
    return connect(url, open_timeout=RECEIVE_SECONDS, close_timeout=10, **kwargs)
