"""Lambda Invoke runs the real handler on the host: result, environment, layers, errors, logs,
asynchronous invocations, and SDK calls that reach the engine."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from orchestrator.sandbox.server import RunningServer
from tests.sandbox.cfn_support import KEY, unique
from tests.sandbox.lambda_support import function, zip_bytes
from tests.waiting import written

ECHO = """
import os, sys
def handler(event, context):
    print("seen", event["n"])
    return {"n": event["n"], "env": os.environ.get("GREETING"), "name": context.function_name,
            "remaining": context.get_remaining_time_in_millis() > 0,
            "region": os.environ["AWS_REGION"], "key": os.environ["AWS_ACCESS_KEY_ID"]}
"""
FAILING = """
def handler(event, context):
    print("about to fail")
    raise ValueError("no such firmware")
"""
USES_LAYERS = """
import shared, order
def handler(event, context):
    return [shared.VALUE, order.WHO]
"""
WRITES_FILE = """
import os, pathlib
def handler(event, context):
    pathlib.Path(os.environ["OUT"]).write_text("ran")
"""
CALLS_ENGINE = """
import os, boto3
def handler(event, context):
    boto3.client("dynamodb").put_item(TableName=os.environ["TABLE"], Item={"pk": {"S": "hi"}})
    return "written"
"""


def invoke(aws: Any, name: str, event: object, **kwargs: Any) -> tuple[dict[str, Any], Any]:
    response = aws("lambda").invoke(FunctionName=name, Payload=json.dumps(event), **kwargs)
    return response, json.loads(response["Payload"].read() or b"null")


def test_runs_the_handler_with_its_environment(
    aws: Any, lambda_role: str, sandbox: RunningServer
) -> None:
    env = {"Variables": {"GREETING": "hello"}}
    with function(aws, lambda_role, ECHO, Environment=env) as name:
        response, payload = invoke(aws, name, {"n": 1}, LogType="Tail")

    assert response["StatusCode"] == 200 and "FunctionError" not in response
    assert payload == {
        "n": 1,
        "env": "hello",
        "name": name,
        "remaining": True,
        "region": "us-east-1",
        "key": sandbox.keys.handler.access_key_id,  # the engine's pair for its handlers
    }
    log = base64.b64decode(response["LogResult"]).decode()
    assert log.startswith("START RequestId: ") and "seen 1\n" in log
    assert "\nEND RequestId: " in log and "\nREPORT RequestId: " in log


def test_a_raised_error_is_an_unhandled_function_error(aws: Any, lambda_role: str) -> None:
    with function(aws, lambda_role, FAILING) as name:
        response, payload = invoke(aws, name, {}, LogType="Tail")

    assert (response["StatusCode"], response["FunctionError"]) == (200, "Unhandled")
    assert payload["errorType"] == "ValueError"
    assert payload["errorMessage"] == "no such firmware"
    assert any("raise ValueError" in line for line in payload["stackTrace"])
    log = base64.b64decode(response["LogResult"]).decode()
    assert "about to fail" in log and "[ERROR] ValueError: no such firmware" in log


def test_layers_are_on_the_path_and_later_layers_win(aws: Any, lambda_role: str) -> None:
    lam = aws("lambda")
    first = lam.publish_layer_version(
        LayerName=unique("first"),
        Content={
            "ZipFile": zip_bytes(
                {"python/shared.py": "VALUE = 'from-layer'\n", "python/order.py": "WHO = 'first'\n"}
            )
        },
    )
    second = lam.publish_layer_version(
        LayerName=unique("second"),
        Content={
            "ZipFile": zip_bytes(
                {"python/lib/python3.11/site-packages/order.py": "WHO = 'second'\n"}
            )
        },
    )
    layers = [first["LayerVersionArn"], second["LayerVersionArn"]]
    with function(aws, lambda_role, USES_LAYERS, Layers=layers) as name:
        _, payload = invoke(aws, name, {})

    assert payload == ["from-layer", "second"]


def test_an_event_invocation_answers_202_and_runs_in_the_background(
    aws: Any, lambda_role: str, tmp_path: Path
) -> None:
    out = tmp_path / "ran.txt"
    env = {"Variables": {"OUT": str(out)}}
    with function(aws, lambda_role, WRITES_FILE, Environment=env) as name:
        response = aws("lambda").invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
        ran = written(out)

    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    assert ran == "ran"


def test_the_handlers_sdk_calls_reach_the_engine(aws: Any, lambda_role: str) -> None:
    ddb, table = aws("dynamodb"), unique("written")
    ddb.create_table(TableName=table, **KEY)
    try:
        with function(
            aws, lambda_role, CALLS_ENGINE, Timeout=30, Environment={"Variables": {"TABLE": table}}
        ) as name:
            _, payload = invoke(aws, name, {})
        item = ddb.get_item(TableName=table, Key={"pk": {"S": "hi"}}).get("Item")
    finally:
        ddb.delete_table(TableName=table)

    assert (payload, item) == ("written", {"pk": {"S": "hi"}})


def test_the_log_is_kept_in_cloudwatch_logs(aws: Any, lambda_role: str) -> None:
    with function(aws, lambda_role, ECHO) as name:
        invoke(aws, name, {"n": 7})
        group = f"/aws/lambda/{name}"
        events = aws("logs").filter_log_events(logGroupName=group)["events"]

    assert "seen 7" in [event["message"] for event in events]


def test_a_payload_that_is_not_json_is_refused(aws: Any, lambda_role: str) -> None:
    lam = aws("lambda")
    with (
        function(aws, lambda_role, ECHO) as name,
        pytest.raises(lam.exceptions.InvalidRequestContentException),
    ):
        lam.invoke(FunctionName=name, Payload=b"{not json")
