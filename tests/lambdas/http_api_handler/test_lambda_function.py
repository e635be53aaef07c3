"""lambda_function.py: routing HTTP API 2.0 requests, unknown routes, configuration, and any
event answered without a server error."""

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.lambdas.http_api_handler.helpers import (
    SID,
    Event,
    call,
)
from tests.lambdas.support import JSON_VALUES, PROPERTY

# --- routing -------------------------------------------------------------------------------


UNKNOWN_ROUTES = [
    ("GET", "/sessions"),
    ("POST", "/upload-url"),
    ("DELETE", "/sessions"),
    ("PUT", "/upload-url"),
    ("OPTIONS", "/sessions"),
    ("POST", "/sessions/"),
    ("POST", "/SESSIONS"),
    ("post", "/sessions"),
    ("POST", "/prod/sessions"),  # a stage prefix counts only on that stage
    ("GET", "/upload-url/../sessions"),
    ("GET", "/"),
    ("GET", "/x" * 5000),
]
MALFORMED_EVENTS: list[Any] = [
    {},
    None,
    [],
    "POST /sessions",
    {"requestContext": None},
    {"requestContext": "x"},
    {"requestContext": {}},
    {"requestContext": {"http": None}},
    {"requestContext": {"http": {"method": "POST"}}},
    {"requestContext": {"http": {"path": "/sessions"}}},
    {"requestContext": {"http": {"method": ["POST"], "path": "/sessions"}}},
    {"requestContext": {"http": {"method": "POST", "path": {"p": "/sessions"}}}},
    {"requestContext": {"http": {"method": None, "path": None}}},
]


def test_unknown_routes_and_malformed_events_are_404(
    app: ModuleType, table: Any, event: Event
) -> None:
    requests_ = list(MALFORMED_EVENTS)
    for method, path in UNKNOWN_ROUTES:
        request = event("qr_http_post_sessions")
        request["requestContext"]["http"].update(method=method, path=path)
        requests_.append(request)
    for request in requests_:
        assert call(app, request)[:2] == (404, {"error": "Not Found"}), str(request)[:80]
    assert table.scan()["Count"] == 0

    # On a named stage, API Gateway puts the stage in front of the path.
    request = event("qr_http_post_sessions")
    request["requestContext"]["stage"] = "dev"
    request["requestContext"]["http"]["path"] = "/dev/sessions"
    assert call(app, request)[0] == 200
    assert table.scan()["Count"] == 1


# --- configuration and cold start ----------------------------------------------------------


def test_missing_environment_variable_fails_naming_it(
    load_function: Callable[..., ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Blank values count as missing too (shared.config's own tests).
    pairs = [
        ("SESSIONS_TABLE_NAME", "UPLOAD_BUCKET_NAME"),
        ("UPLOAD_BUCKET_NAME", "SESSIONS_TABLE_NAME"),
    ]
    for missing, present in pairs:
        with monkeypatch.context() as patch:
            patch.delenv(missing, raising=False)
            patch.setenv(present, "configured")
            with pytest.raises(RuntimeError, match=f"{missing} environment variable is required$"):
                load_function("http_api_handler", module="lambda_function")


def test_any_event_is_answered_without_a_server_error(app: ModuleType, table: Any) -> None:
    # Shapes near the routes, so that hypothesis reaches the handlers and their validation.
    events = JSON_VALUES | st.fixed_dictionaries(
        {},
        optional={
            "requestContext": JSON_VALUES
            | st.fixed_dictionaries(
                {},
                optional={
                    "http": st.fixed_dictionaries(
                        {},
                        optional={
                            "method": st.sampled_from(["GET", "POST"]) | JSON_VALUES,
                            "path": st.sampled_from(["/sessions", "/upload-url"]) | JSON_VALUES,
                        },
                    ),
                    "stage": st.sampled_from(["$default", "dev"]) | JSON_VALUES,
                },
            ),
            "queryStringParameters": JSON_VALUES
            | st.fixed_dictionaries({}, optional={"sessionId": JSON_VALUES | st.just(SID)}),
            "body": JSON_VALUES,
        },
    )

    @settings(PROPERTY, max_examples=80)
    @given(request=events)
    def check(request: Any) -> None:
        status, body, headers = call(app, request)
        assert status in (200, 400, 404), request
        assert headers["Access-Control-Allow-Origin"] == "*"
        assert isinstance(body, dict)

    check()
