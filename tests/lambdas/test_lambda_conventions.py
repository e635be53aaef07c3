"""Issue 4's quality bar, checked across every function at once.

Each function ships a requirements.txt, no Lambda source imports the orchestrator, and an
invocation creates no AWS client: clients belong to the container (created at import, in the
cold start) and every invocation reuses them.
"""

import ast
import json
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import boto3
import botocore.session
import pytest

from tests.lambdas.support import (
    BUILDS_TABLE,
    LAMBDAS,
    REGISTRATION_KEYS_TABLE,
    SESSIONS_TABLE,
    create_builds_table,
    create_state_machine,
    create_table,
)

FUNCTION_FOLDERS = sorted(p.name for p in LAMBDAS.iterdir() if p.is_dir() and p.name != "shared")
SID = "3f2b7c1e-8a4d-4e6f-9b21-5c7d8e9fa0b1"  # the session of the QR sample events

Load = Callable[..., ModuleType]
Event = Callable[[str], dict[str, Any]]
# Cold-starts one function in moto; returns what its invocations answered, run on demand.
Scenario = Callable[[Load, Event, pytest.MonkeyPatch], Callable[[], list[Any]]]


def test_every_function_folder_has_a_requirements_txt() -> None:
    assert len(FUNCTION_FOLDERS) == 8
    for folder in FUNCTION_FOLDERS:
        assert (LAMBDAS / folder / "requirements.txt").is_file(), folder


def test_no_lambda_source_imports_the_orchestrator() -> None:
    sources = sorted(LAMBDAS.rglob("*.py"))
    assert sources
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.split(".")[0] == "orchestrator" for name in names), source


def _statuses(handler: Callable[..., dict[str, Any]], *events: dict[str, Any]) -> list[Any]:
    return [handler(event, None).get("statusCode") for event in events]


def _firmware(load: Load, event: Event, env: pytest.MonkeyPatch) -> Callable[[], list[Any]]:
    for name, value in {
        "DYNAMODB_FIRMWARE_TABLE_NAME": "firefly-firmware",
        "FIRMWARE_PRIVATE_BUCKET_NAME": "firmware-private",
        "FIRMWARE_PUBLIC_BUCKET_NAME": "firmware-public",
        "ENVIRONMENT_NAME": "dev",
    }.items():
        env.setenv(name, value)
    create_table("firefly-firmware", "zip_name").put_item(
        Item={"zip_name": "firefly-fw-1.4.2.zip", "status": "READY_TO_TEST"}
    )
    s3 = boto3.client("s3")
    for bucket in ("firmware-private", "firmware-public"):
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket="firmware-private", Key="firefly-fw-1.4.2.zip", Body=b"fw")
    app = load("func-api-firmware-status-patch")
    # Every transition, so the S3 side effects of RELEASED and REVOKED run too.
    requests = [event("firmware_status_patch") for _ in range(3)]
    for request, status in zip(requests, ("TESTING", "RELEASED", "REVOKED"), strict=True):
        request["body"] = json.dumps({"status": status})
    return lambda: _statuses(app.lambda_handler, *requests)


def _registration_keys(folder: str, sample: str) -> Scenario:
    def scenario(load: Load, event: Event, env: pytest.MonkeyPatch) -> Callable[[], list[Any]]:
        env.setenv("REGISTRATION_KEYS_TABLE_NAME", REGISTRATION_KEYS_TABLE)
        env.setenv("DEVICES_TABLE_NAME", "firefly-devices")
        keys = create_table(REGISTRATION_KEYS_TABLE, "registration_key")
        create_table("firefly-devices", "device_id")
        request = event(sample)
        if sample == "devices_register_post":
            key = json.loads(request["body"])["registration_key"]
            keys.put_item(Item={"registration_key": key, "expires_at": int(time.time()) + 600})
        app = load(folder)
        return lambda: _statuses(app.lambda_handler, request)

    return scenario


def _status(load: Load, event: Event, env: pytest.MonkeyPatch) -> Callable[[], list[Any]]:
    env.setenv("DYNAMODB_TABLE", "firefly-assemblies")
    create_table("firefly-assemblies", "assembly_id").put_item(
        Item={"assembly_id": event("status_get")["assemblyId"], "user": {"userId": "user_456"}}
    )
    app = load("status")
    return lambda: _statuses(app.lambda_handler, event("status_get"))


def _trigger_build(load: Load, event: Event, env: pytest.MonkeyPatch) -> Callable[[], list[Any]]:
    env.setenv("DYNAMODB_TABLE_NAME", BUILDS_TABLE)
    env.setenv("STATE_MACHINE_ARN", create_state_machine())
    env.setenv("S3_BUCKET_NAME", "dev-aws-deployer-artifacts")
    dynamodb = create_builds_table()
    batch = event("trigger_build_insert")
    image = batch["Records"][0]["dynamodb"]["NewImage"]
    dynamodb.put_item(TableName=BUILDS_TABLE, Item=image)
    app = load("trigger-build")
    return lambda: [app.lambda_handler(batch, None)]


def _qr_http(load: Load, event: Event, env: pytest.MonkeyPatch) -> Callable[[], list[Any]]:
    env.setenv("SESSIONS_TABLE_NAME", SESSIONS_TABLE)
    env.setenv("UPLOAD_BUCKET_NAME", "qr-upload-images-dev")
    create_table(SESSIONS_TABLE, "sessionId")
    boto3.client("s3").create_bucket(Bucket="qr-upload-images-dev")
    app = load("http_api_handler", module="lambda_function")

    def invoke() -> list[Any]:
        created = app.lambda_handler(event("qr_http_post_sessions"), None)
        session_id = json.loads(created["body"])["sessionId"]
        upload_url = event("qr_http_get_upload_url")
        upload_url["queryStringParameters"] = {"sessionId": session_id}
        return [created["statusCode"], *_statuses(app.lambda_handler, upload_url)]

    return invoke


def _qr_websocket(load: Load, event: Event, env: pytest.MonkeyPatch) -> Callable[[], list[Any]]:
    env.setenv("SESSIONS_TABLE_NAME", SESSIONS_TABLE)
    env.setenv("WS_API_ENDPOINT", "k7m2p9q4r1.execute-api.us-east-1.amazonaws.com/dev")
    create_table(SESSIONS_TABLE, "sessionId").put_item(
        Item={"sessionId": SID, "status": "UPLOAD_REQUESTED", "expiresAt": int(time.time()) + 600}
    )
    app = load("websocket_event_handler", module="lambda_function")
    # Connect, then the upload arrives (a WebSocket message), then the browser leaves.
    samples = ("qr_ws_connect", "qr_s3_object_created", "qr_ws_disconnect")
    return lambda: _statuses(app.lambda_handler, *map(event, samples))


SCENARIOS: dict[str, tuple[Scenario, list[Any]]] = {
    "func-api-firmware-status-patch": (_firmware, [200, 200, 200]),
    "func-api-registration-keys-post": (
        _registration_keys("func-api-registration-keys-post", "registration_keys_post"),
        [201],
    ),
    "func-api-registration-keys-get": (
        _registration_keys("func-api-registration-keys-get", "registration_keys_get"),
        [200],
    ),
    "func-api-devices-register-post": (
        _registration_keys("func-api-devices-register-post", "devices_register_post"),
        [201],
    ),
    "status": (_status, [200]),
    "trigger-build": (_trigger_build, [{"batchItemFailures": []}]),
    "http_api_handler": (_qr_http, [200, 200]),
    "websocket_event_handler": (_qr_websocket, [200, 200, 200]),
}


def test_every_function_has_a_scenario() -> None:
    assert sorted(SCENARIOS) == FUNCTION_FOLDERS


@pytest.mark.parametrize("folder", sorted(SCENARIOS))
def test_invocations_reuse_the_clients_of_the_cold_start(
    folder: str, load_function: Load, event: Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario, expected = SCENARIOS[folder]
    invoke = scenario(load_function, event, monkeypatch)
    # boto3.client, boto3.resource and every Session end in botocore's create_client.
    created: list[str] = []
    create_client = botocore.session.Session.create_client

    def counting(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        created.append(service_name)
        return create_client(self, service_name, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "create_client", counting)

    # The happy path, so that every client the function has is used.
    assert invoke() == expected
    assert created == []
