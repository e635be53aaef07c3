"""The websocket-api stack hands out where its API is reached: on the sandbox the engine's
ws:// address (the web app's URL, the event function's @connections endpoint), on AWS the
seed's forms."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from orchestrator.sandbox.cloudformation.resource_types import apigatewayv2_resources
from orchestrator.sandbox.server import RunningServer
from tests.conftest import REPO
from tests.sandbox.cfn_support import CAPABILITIES, outputs, settle
from tests.sandbox.websocket_support import open_client
from tests.sandbox_access import session

TEMPLATE = REPO / "stacks" / "websocket-api" / "template.yaml"

pytestmark = pytest.mark.slow


def _deploy(aws: Any) -> tuple[str, dict[str, str]]:
    """The stack's environment (its stage) and outputs."""
    cfn, environment = aws("cloudformation"), f"t{uuid.uuid4().hex[:6]}"
    name = f"firefly-websocket-api-{environment}"
    cfn.create_stack(
        StackName=name,
        TemplateBody=TEMPLATE.read_text(encoding="utf-8"),
        Parameters=[{"ParameterKey": "Environment", "ParameterValue": environment}],
        Capabilities=CAPABILITIES,
    )
    done = settle(cfn, name)
    assert done["StackStatus"] == "CREATE_COMPLETE", done
    return environment, outputs(done)


def test_the_sandbox_hands_out_the_engine_address_of_the_api(
    aws: Any, sandbox: RunningServer
) -> None:
    stage, out = _deploy(aws)
    served = f"ws://{sandbox.host}:{sandbox.port}/_api/{out['WebSocketApiId']}/{stage}"

    assert out["WebSocketUrl"] == out["WebSocketEndpoint"] == served
    with open_client(out["WebSocketUrl"]) as client:
        assert client.protocol.state.name == "OPEN"
    # the endpoint reaches the engine's management API, which knows no such connection
    management = session(sandbox.keys.client).client(
        "apigatewaymanagementapi", endpoint_url=served.replace("ws://", "http://")
    )
    with pytest.raises(management.exceptions.GoneException):
        management.get_connection(ConnectionId="unknownId0=")


def test_on_aws_the_outputs_keep_the_seed_forms(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # ApiEndpoint as AWS gives it
    monkeypatch.setattr(apigatewayv2_resources, "served_endpoint", lambda api: api.api_endpoint)

    stage, out = _deploy(aws)
    host = f"{out['WebSocketApiId']}.execute-api.us-east-1.amazonaws.com"

    assert out["WebSocketEndpoint"] == f"{host}/{stage}"  # seed 004's WS_API_ENDPOINT form
    assert out["WebSocketUrl"] == f"wss://{host}/{stage}"
