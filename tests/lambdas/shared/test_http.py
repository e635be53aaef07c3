"""shared.http: HTTP API payload 2.0 parsing; client mistakes are 4xx HttpErrors, never crashes."""

import base64
import json
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.lambdas.support import JSON_VALUES, PROPERTY, import_pure, log_lines

http = import_pure("shared.http")
shared_logging = import_pure("shared.logging")


def _with_claims(claims: Any) -> dict[str, Any]:
    return {"requestContext": {"authorizer": {"jwt": {"claims": claims, "scopes": None}}}}


def _status(parse: Any, *args: Any, **kwargs: Any) -> int:
    """The status of the HttpError that parse(*args, **kwargs) raises (fails if it returns)."""
    with pytest.raises(http.HttpError) as raised:
        parse(*args, **kwargs)
    return int(raised.value.status_code)


# --- claims -------------------------------------------------------------------------------


def test_claims_and_subject_come_from_the_jwt_authorizer() -> None:
    event = _with_claims({"sub": "user-1", "username": "alice"})

    assert http.jwt_claims(event) == {"sub": "user-1", "username": "alice"}
    assert http.caller_subject(event) == "user-1"


UNAUTHENTICATED_EVENTS: list[Any] = [
    None,
    "string event",
    [],
    {},
    {"requestContext": None},
    {"requestContext": {"http": {"method": "GET"}}},
    {"requestContext": {"authorizer": {}}},
    {"requestContext": {"authorizer": {"jwt": None}}},
    {"requestContext": {"authorizer": {"lambda": {"sub": "x"}}}},
    # REST API / payload 1.0 shape: not what this API is configured with
    {"requestContext": {"authorizer": {"claims": {"sub": "x"}}}},
    _with_claims(None),
    _with_claims({}),
    _with_claims(["sub"]),
    _with_claims("sub=x"),
]


def test_missing_claims_are_401() -> None:
    for event in UNAUTHENTICATED_EVENTS:
        assert _status(http.jwt_claims, event) == 401, event
        assert _status(http.caller_subject, event) == 401, event


def test_a_missing_or_unusable_sub_is_401() -> None:
    for sub in [None, "", "   ", 42, ["a"], {"a": 1}]:
        claims = {"username": "alice"} if sub is None else {"sub": sub}
        assert _status(http.caller_subject, _with_claims(claims)) == 401, sub


# --- parameters ---------------------------------------------------------------------------


def test_path_parameter() -> None:
    assert http.path_parameter({"pathParameters": {"zip_name": "fw.zip"}}, "zip_name") == "fw.zip"


def test_missing_path_parameter_is_400() -> None:
    events: list[Any] = [{}, {"pathParameters": None}, {"pathParameters": {}}, "x"]
    events += [{"pathParameters": {"zip_name": value}} for value in ("", 1, None, ["a"])]
    for event in events:
        assert _status(http.path_parameter, event, "zip_name") == 400, event


def test_query_parameter() -> None:
    event = {"queryStringParameters": {"limit": "5"}}

    assert http.query_parameter(event, "limit") == "5"
    assert http.query_parameter(event, "next_token") is None
    assert http.query_parameter({}, "limit") is None
    assert http.query_parameter({"queryStringParameters": None}, "limit") is None
    assert _status(http.query_parameter, {"queryStringParameters": {"limit": 5}}, "limit") == 400


def test_bounded_int_accepts() -> None:
    for value, expected in [(None, 25), ("1", 1), ("100", 100), ("007", 7), ("50", 50)]:
        assert http.bounded_int(value, "limit", default=25, minimum=1, maximum=100) == expected


def test_bounded_int_rejects() -> None:
    for value in ["", "0", "101", "-1", "+5", "1.5", "1e2", " 5", "5 ", "abc", "1,2", "٣", "²"]:
        status = _status(http.bounded_int, value, "limit", default=25, minimum=1, maximum=100)
        assert status == 400, value
    huge = "9" * 5000  # int() of this many digits would raise instead of answering 400
    assert _status(http.bounded_int, huge, "limit", default=25, minimum=1, maximum=100) == 400


@settings(PROPERTY, max_examples=100)
@given(st.text(max_size=12))
def test_bounded_int_is_in_range_or_400(value: str) -> None:
    try:
        number = http.bounded_int(value, "limit", default=25, minimum=1, maximum=100)
    except http.HttpError as error:
        assert error.status_code == 400
    else:
        assert 1 <= number <= 100
        assert value.isascii()


# --- JSON bodies --------------------------------------------------------------------------


def test_json_body_parses_an_object() -> None:
    assert http.json_body({"body": '{"status": "TESTING"}'}) == {"status": "TESTING"}


def test_json_body_decodes_base64_bodies() -> None:
    body = base64.b64encode(b'{"status": "TESTING"}').decode()

    assert http.json_body({"body": body, "isBase64Encoded": True}) == {"status": "TESTING"}


MALFORMED_EVENTS: list[Any] = [
    None,
    {},
    {"body": None},
    {"body": ""},
    {"body": 42},
    {"body": {"status": "TESTING"}},  # already-parsed body: not what API Gateway sends
    {"body": "not json"},
    {"body": "{"},
    {"body": "[]"},
    {"body": '"TESTING"'},
    {"body": "null"},
    {"body": "3"},
    {"body": "NaN"},
    {"body": '{"status": NaN}'},
    {"body": '{"status": Infinity}'},
    {"body": '{"status": "A", "status": "B"}'},
    {"body": "[" * 10_000 + "]" * 10_000},
    {"body": '{"a": ' * 5000 + "1" + "}" * 5000},
    {"body": "\ud800"},
    {"body": "!!not base64!!", "isBase64Encoded": True},
    {"body": "eyJh", "isBase64Encoded": True},  # valid base64, truncated JSON
    {"body": base64.b64encode(b"\xff\xfe\xfa").decode(), "isBase64Encoded": True},
    {"body": "é", "isBase64Encoded": True},
    {"body": '{"status": "' + "A" * http.MAX_BODY_BYTES + '"}'},
    {
        "body": base64.b64encode(b" " * (http.MAX_BODY_BYTES + 1)).decode(),
        "isBase64Encoded": True,
    },
]


def test_malformed_bodies_are_400() -> None:
    for event in MALFORMED_EVENTS:
        assert _status(http.json_body, event) == 400, str(event)[:60]


def test_a_body_just_under_the_limit_is_accepted() -> None:
    padding = "x" * (http.MAX_BODY_BYTES - len('{"p": ""}'))

    assert http.json_body({"body": '{"p": "' + padding + '"}'}) == {"p": padding}


@settings(PROPERTY, max_examples=50)
@given(st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=5))
def test_any_json_object_round_trips(data: dict[str, Any]) -> None:
    assert http.json_body({"body": json.dumps(data)}) == data
    encoded = base64.b64encode(json.dumps(data).encode()).decode()
    assert http.json_body({"body": encoded, "isBase64Encoded": True}) == data


@settings(PROPERTY, max_examples=150)
@given(st.one_of(st.text(max_size=64), st.binary(max_size=64).map(lambda b: b.decode("latin-1"))))
def test_any_text_is_an_object_or_400(body: str) -> None:
    for base64_encoded in (False, True):
        try:
            result = http.json_body({"body": body, "isBase64Encoded": base64_encoded})
        except http.HttpError as error:
            assert error.status_code == 400
        else:
            assert isinstance(result, dict)


# --- the handler wrapper ------------------------------------------------------------------

logger = shared_logging.get_logger("test-shared-http")
CONTEXT = SimpleNamespace(aws_request_id="req-1")


def test_api_handler_passes_responses_through_and_logs_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    @http.api_handler(logger)
    def handler(event: Any, context: Any) -> dict[str, Any]:
        return {"statusCode": 204}

    assert handler({"routeKey": "GET /x"}, CONTEXT) == {"statusCode": 204}
    (line,) = log_lines(capsys)
    assert line["status_code"] == 204
    assert line["route"] == "GET /x"
    assert line["aws_request_id"] == "req-1"


def test_api_handler_turns_http_errors_into_error_responses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    @http.api_handler(logger)
    def handler(event: Any, context: Any) -> dict[str, Any]:
        raise http.HttpError(409, "Illegal", current_status="A")

    response = handler({}, None)

    assert response["statusCode"] == 409
    assert json.loads(response["body"]) == {"error": "Illegal", "current_status": "A"}
    assert response["headers"]["Access-Control-Allow-Origin"] == "*"
    assert log_lines(capsys)[0]["level"] == "WARNING"


def test_api_handler_logs_server_side_http_errors_as_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    @http.api_handler(logger)
    def handler(event: Any, context: Any) -> dict[str, Any]:
        raise http.HttpError(500, "Not configured")

    assert handler({}, None)["statusCode"] == 500
    assert log_lines(capsys)[0]["level"] == "ERROR"


def test_api_handler_hides_unexpected_errors_behind_a_generic_500(
    capsys: pytest.CaptureFixture[str],
) -> None:
    @http.api_handler(logger)
    def handler(event: Any, context: Any) -> dict[str, Any]:
        raise KeyError("secret-table-name")

    response = handler("not even a dict", None)

    assert response["statusCode"] == 500
    assert json.loads(response["body"]) == {"error": "Internal server error"}
    (line,) = log_lines(capsys)
    assert line["level"] == "ERROR"
    assert "secret-table-name" in line["traceback"]
