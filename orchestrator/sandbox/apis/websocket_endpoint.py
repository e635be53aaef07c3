"""Where the engine serves a WebSocket API, as CloudFormation hands it to the stacks.

On AWS `Fn::GetAtt Api.ApiEndpoint` of a WebSocket API is `wss://{apiId}.execute-api.{region}.
amazonaws.com` (AWS::ApiGatewayV2::Api, Return values,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigatewayv2-api.html),
and a stack builds its client URL and its `@connections` endpoint from it plus the stage. In
the sandbox the same attribute is the API's path-style address on the engine,
`ws://127.0.0.1:PORT/_api/{apiId}`, so those values reach the engine: the web app's URL, and the
event function's WS_API_ENDPOINT (whose validator takes a ws:// URL as its http:// one).

The API's own record (GetApi) keeps the name AWS gives it, `wss://...amazonaws.com`, which the
shared conformance suite holds: a `wss://` URL needs TLS, which the engine does not speak, and a
path-style address is not a name the API could have on AWS.
"""

from __future__ import annotations

from typing import Any

from orchestrator.sandbox import settings
from orchestrator.sandbox.apis.addresses import local_url


def served_endpoint(api: Any) -> str:
    """`ApiEndpoint` of a moto Api as CloudFormation resolves it on a running engine."""
    engine = settings.endpoint()
    if engine is None or str(api.protocol_type).upper() != "WEBSOCKET":
        return str(api.api_endpoint)
    return local_url(api.api_id, engine, "ws")
