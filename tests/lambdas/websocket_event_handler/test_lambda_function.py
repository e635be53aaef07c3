"""lambda_function.py: routing $connect, $disconnect and S3 events, unknown events, an unavailable
table, configuration, and any event answered without a server error."""

import logging
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.lambdas.support import (
    JSON_VALUES,
    PROPERTY,
    SESSIONS_TABLE,
    assert_logged_with_traceback,
)
from tests.lambdas.websocket_event_handler.helpers import (
    CONN,
    CONTEXT,
    ENDPOINT,
    OTHER,
    Event,
    call,
    posted,
    put_session,
)

# --- routing -------------------------------------------------------------------------------


def test_unknown_events_and_routes_are_400(app: ModuleType, table: Any, event: Event) -> None:
    unknown = [
        {},
        None,
        [],
        "event",
        {"foo": 1},
        {"Records": []},
        {"Records": "x"},
        {"Records": [{}]},
        {"Records": ["s3"]},
        {"Records": [{"dynamodb": {"NewImage": {}}}]},
        {"requestContext": {"http": {"method": "GET", "path": "/"}}},
        {"requestContext": "routeKey"},
    ]
    for route_key in ["$default", "sendMessage", "", None, 7, ["$connect"]]:
        request = event("qr_ws_connect")
        request["requestContext"]["routeKey"] = route_key
        unknown.append(request)
    for request in unknown:
        assert call(app, request) == (400, {"error": "Unknown event type"}), str(request)[:80]
    assert table.scan()["Count"] == 0


# --- the table is unavailable ----------------------------------------------------------------


def test_table_failures(
    app: ModuleType, table: Any, logs: list[logging.LogRecord], event: Event
) -> None:
    table.delete()
    # $connect: the connection is rejected, without details.
    assert call(app, event("qr_ws_connect")) == (500, {"error": "Internal Server Error"})
    assert_logged_with_traceback(logs, "Failed to register connection")
    # $disconnect: still 200, the failure is only logged.
    assert call(app, event("qr_ws_disconnect")) == (200, {"message": "Disconnected"})
    assert_logged_with_traceback(logs, "Failed to clear connection")
    # S3: raised, so that Lambda's asynchronous retry runs the completion again.
    with pytest.raises(ClientError) as raised:
        app.lambda_handler(event("qr_s3_object_created"), CONTEXT)
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


# --- configuration and cold start ----------------------------------------------------------


def test_configuration_endpoint_region_and_missing_variables(
    load_function: Callable[..., ModuleType],
    table: Any,
    monkeypatch: pytest.MonkeyPatch,
    event: Event,
) -> None:
    monkeypatch.setenv(
        "WS_API_ENDPOINT", "wss://q1w2e3r4t5.execute-api.eu-west-1.amazonaws.com/prod/"
    )
    app = load_function("websocket_event_handler", module="lambda_function")
    client = sys.modules["utils.websocket"].api_client
    assert client.meta.endpoint_url == "https://q1w2e3r4t5.execute-api.eu-west-1.amazonaws.com/prod"
    assert client.meta.region_name == "eu-west-1"
    put_session(table)
    assert call(app, event("qr_s3_object_created"))[0] == 200
    assert [m["action"] for m in posted(CONN, "eu-west-1")] == ["UPLOAD_COMPLETED"]

    # Blank values and the other malformed endpoints are covered by the layer's own tests.
    cases = [
        (
            {"WS_API_ENDPOINT": ENDPOINT},
            "SESSIONS_TABLE_NAME environment variable is required$",
        ),
        (
            {"SESSIONS_TABLE_NAME": SESSIONS_TABLE},
            "WS_API_ENDPOINT environment variable is required$",
        ),
        (
            {"SESSIONS_TABLE_NAME": SESSIONS_TABLE, "WS_API_ENDPOINT": "ftp://host/dev"},
            "WS_API_ENDPOINT must look like",
        ),
    ]
    for environment, message in cases:
        with monkeypatch.context() as patch:
            for name in ("SESSIONS_TABLE_NAME", "WS_API_ENDPOINT"):
                patch.delenv(name, raising=False)
            for name, value in environment.items():
                patch.setenv(name, value)
            with pytest.raises(RuntimeError, match=message):
                load_function("websocket_event_handler", module="lambda_function")


def test_any_event_is_answered_without_a_server_error(
    app: ModuleType, table: Any, event: Event
) -> None:
    # Shapes near the real events, so that hypothesis reaches the handlers' validation (the
    # sample S3 record completes the stored session: the whole path runs).
    put_session(table)
    records = st.lists(
        st.fixed_dictionaries(
            {"s3": JSON_VALUES | st.just(event("qr_s3_object_created")["Records"][0]["s3"])},
            optional={"eventName": st.just("ObjectRemoved:Delete") | JSON_VALUES},
        )
        | JSON_VALUES,
        max_size=3,
    )
    events = JSON_VALUES | st.fixed_dictionaries(
        {},
        optional={
            "requestContext": JSON_VALUES
            | st.fixed_dictionaries(
                {},
                optional={
                    "routeKey": st.sampled_from(["$connect", "$disconnect"]) | JSON_VALUES,
                    "connectionId": st.just("P9b3WfJspBNDKlR=") | JSON_VALUES,
                },
            ),
            "queryStringParameters": JSON_VALUES
            | st.fixed_dictionaries({}, optional={"sessionId": JSON_VALUES | st.just(OTHER)}),
            "Records": records,
        },
    )

    @settings(PROPERTY, max_examples=80)
    @given(request=events)
    def check(request: Any) -> None:
        status, body = call(app, request)
        assert status in (200, 400, 404), request
        assert isinstance(body, dict)

    check()
