"""Which requests to a served WebSocket API are management calls, not client traffic.

On AWS the API's own address also answers the management API: `POST|GET|DELETE
{endpoint}/{stage}/@connections/{connectionId}`, signed for `execute-api` and allowed by IAM
("Use @connections commands in your backend service",
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html).
Such a request is an AWS API call like any other: it takes the guard's key checks and goes on to
the management API (`fixes/apigateway_management_*`), never to a route.
"""

from __future__ import annotations

from orchestrator.sandbox.apis.addresses import ApiAddress

CONNECTIONS = "/@connections/"


def is_management_call(address: ApiAddress) -> bool:
    return CONNECTIONS in address.path
