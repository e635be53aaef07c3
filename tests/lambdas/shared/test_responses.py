"""shared.responses: the JSON responses and CORS headers of seed 004's utils/response.py."""

import json

from tests.lambdas.support import import_pure

responses = import_pure("shared.responses")


def test_success_response_has_the_seed_headers_and_a_json_body() -> None:
    response = responses.success_response({"a": 1})

    assert response == {
        "statusCode": 200,
        "headers": {
            "Content-Type": "application/json",
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type",
        },
        "body": '{"a": 1}',
    }


def test_success_response_takes_the_status_code() -> None:
    assert responses.success_response([], 201)["statusCode"] == 201


def test_error_response_has_the_seed_headers_and_error_body() -> None:
    response = responses.error_response("Session not found", 404)

    assert response == {
        "statusCode": 404,
        "headers": {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
        "body": json.dumps({"error": "Session not found"}),
    }


def test_error_response_defaults_to_500() -> None:
    assert responses.error_response("boom")["statusCode"] == 500


def test_error_details_sit_beside_the_error_message() -> None:
    body = json.loads(responses.error_response("x", 409, current_status="A")["body"])

    assert body == {"error": "x", "current_status": "A"}


def test_headers_are_not_shared_between_responses() -> None:
    first = responses.success_response({})
    first["headers"]["X-Extra"] = "1"

    assert "X-Extra" not in responses.success_response({})["headers"]
