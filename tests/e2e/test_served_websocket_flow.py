"""Seed 004's QR upload end to end after `firefly deploy --env local`: the web app's WebSocket
reaches the deployed API, its $connect and $disconnect run the event function through the
stack's routes and permission, and the integration suite's check receives UPLOAD_COMPLETED on
a real WebSocket client after its PUT to the presigned URL (S3's notification, not the suite,
invokes the function)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from websockets.sync.client import connect

from orchestrator.aws.integration import IntegrationSuite, stack_names
from orchestrator.aws.integration.uploads import qr_upload_completes_session
from orchestrator.engine.ports import StackSnapshot
from orchestrator.manifest import environment, load_manifest
from tests.conftest import MANIFEST
from tests.e2e.conftest import Firefly
from tests.waiting import wait_until

pytestmark = pytest.mark.slow

UPLOAD_WORKFLOWS = ("func-qr-upload-http-api", "s3-qr-uploads")  # and what they need


class _Stacks:
    """The engine's stacks as the suite reads them."""

    def __init__(self, cloudformation: Any) -> None:
        self._cloudformation = cloudformation

    def snapshot(self, names: Any) -> dict[str, StackSnapshot]:
        found = {}
        for stack in self._cloudformation.describe_stacks()["Stacks"]:
            if stack["StackName"] in names:
                outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
                found[stack["StackName"]] = StackSnapshot(
                    stack["StackName"], stack["StackStatus"], outputs=outputs
                )
        return found


def _deploy(local: Firefly) -> None:
    only = [arg for workflow in UPLOAD_WORKFLOWS for arg in ("--only", workflow)]
    deployed = local("deploy", "--env", "local", *only)
    assert deployed.code == 0, deployed.out + deployed.err


def _outputs(aws: Callable[[str], Any], workflow: str) -> dict[str, str]:
    stack = aws("cloudformation").describe_stacks(StackName=f"firefly-{workflow}")["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def test_the_web_app_socket_connects_and_disconnects_through_the_stack(
    local: Firefly, aws: Callable[[str], Any]
) -> None:
    _deploy(local)
    shown = local("outputs", "--env", "local", "websocket-api", "--json")
    url = json.loads(shown.out)["WebSocketUrl"]  # what a developer points the web app at
    table = _outputs(aws, "dynamodb-upload-sessions")["TableName"]
    dynamodb, session_id = aws("dynamodb"), str(uuid.uuid4())
    key = {"sessionId": {"S": session_id}}
    expires = str(int(time.time()) + 1800)
    session = {**key, "status": {"S": "AWAITING_SCAN"}, "expiresAt": {"N": expires}}
    dynamodb.put_item(TableName=table, Item=session)

    def connection_id() -> str | None:
        item = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item", {})
        return item.get("wsConnectionId", {}).get("S")

    assert url.startswith("ws://127.0.0.1:")
    with connect(f"{url}?sessionId={session_id}", open_timeout=60):
        connected = connection_id()  # $connect has answered before the handshake completes
    assert connected
    wait_until(lambda: connection_id() is None, "$disconnect to clear the session's connection")


def test_the_suite_check_receives_upload_completed_on_its_websocket(
    local: Firefly, aws: Callable[[str], Any]
) -> None:
    _deploy(local)
    manifest = load_manifest(MANIFEST)
    env = environment(manifest, "local")
    suite = IntegrationSuite(
        _Stacks(aws("cloudformation")),
        stack_names(manifest, env),
        aws,
        env,
        {},
        checks=(qr_upload_completes_session,),
        poll_seconds=60,
    )

    verdict = suite.run("run-integration-tests", threading.Event())

    assert verdict == "1 check passed"
