"""HTTP APIs deployed into the engine answer on its port as API Gateway answers: stages, routes,
the 2.0 event, the answer mapping, Lambda permissions and CORS."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from orchestrator.sandbox.server import RunningServer
from tests.sandbox.lambda_support import function
from tests.sandbox.served_api_support import (
    ECHO,
    account_id,
    add_integration,
    add_route,
    allow_api,
)

pytestmark = pytest.mark.slow


ROUTES = ("GET /items/{id}", "GET /items/special", "ANY /files/{path+}", "PATCH /items/{id}")


@dataclass(frozen=True)
class Api:
    api_id: str
    url: str  # path-style, what ApiEndpoint names
    host_style: str  # the netloc-free Host header value of the host-style name


@pytest.fixture(scope="module")
def api(sandbox: RunningServer, aws: Callable[[str], Any], lambda_role: str) -> Iterator[Api]:
    v2 = aws("apigatewayv2")
    cors = {"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET", "PATCH"], "MaxAge": 60}
    made = v2.create_api(Name="served", ProtocolType="HTTP", CorsConfiguration=cors)
    api_id = made["ApiId"]
    v2.create_stage(ApiId=api_id, StageName="$default")
    v2.create_stage(ApiId=api_id, StageName="dev")
    with function(aws, lambda_role, ECHO) as echo, function(aws, lambda_role, ECHO) as refused:
        arn = aws("lambda").get_function(FunctionName=echo)["Configuration"]["FunctionArn"]
        allow_api(aws, echo, f"arn:aws:execute-api:us-east-1:{account_id(aws)}:{api_id}/*/*")
        integration = add_integration(aws, api_id, arn)
        for key in ROUTES:
            add_route(aws, api_id, key, integration)
        hasty = add_integration(aws, api_id, arn, TimeoutInMillis=50)
        add_route(aws, api_id, "GET /hasty", hasty)
        other = aws("lambda").get_function(FunctionName=refused)["Configuration"]["FunctionArn"]
        add_route(aws, api_id, "GET /refused", add_integration(aws, api_id, other))
        yield Api(api_id, made["ApiEndpoint"], f"{api_id}.execute-api.localhost:{sandbox.port}")
    v2.delete_api(ApiId=api_id)


def echoed(answer: requests.Response) -> dict[str, Any]:
    assert answer.status_code == 201, answer.text
    event: dict[str, Any] = json.loads(answer.text)
    return event


def test_the_api_endpoint_is_the_engine_s_url(sandbox: RunningServer, api: Api) -> None:
    assert api.url == f"{sandbox.endpoint}/_api/{api.api_id}"


def test_a_route_gets_the_payload_2_0_event(api: Api) -> None:
    answer = requests.get(
        f"{api.url}/items/42?tag=a&tag=b&plain=1",
        headers={"X-Custom": "v", "Cookie": "one=1; two=2"},
        timeout=60,
    )

    event = echoed(answer)
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /items/{id}"
    assert event["rawPath"] == "/items/42"
    assert event["rawQueryString"] == "tag=a&tag=b&plain=1"
    assert event["queryStringParameters"] == {"tag": "a,b", "plain": "1"}
    assert event["pathParameters"] == {"id": "42"}
    assert event["headers"]["x-custom"] == "v"
    assert "cookie" not in event["headers"]
    assert event["cookies"] == ["one=1", "two=2"]
    context = event["requestContext"]
    assert (context["apiId"], context["stage"], context["routeKey"]) == (
        api.api_id,
        "$default",
        "GET /items/{id}",
    )
    assert context["http"]["method"] == "GET"
    assert context["http"]["path"] == "/items/42"
    assert context["domainPrefix"] == api.api_id
    assert isinstance(context["timeEpoch"], int)
    assert "authorizer" not in context
    assert "body" not in event


def test_raw_path_keeps_the_encoding_and_path_parameters_are_decoded(
    sandbox: RunningServer, api: Api
) -> None:
    path_style = echoed(requests.get(f"{api.url}/items/a%20b", timeout=60))
    host_style = echoed(
        requests.get(
            f"{sandbox.endpoint}/items/a%20b", headers={"Host": api.host_style}, timeout=60
        )
    )

    for event in (path_style, host_style):
        assert (event["rawPath"], event["pathParameters"]) == ("/items/a%20b", {"id": "a b"})


def test_the_function_s_answer_becomes_the_response(api: Api) -> None:
    answer = requests.get(f"{api.url}/items/1", timeout=60)

    assert answer.status_code == 201
    assert answer.headers["x-echo"] == "yes"
    assert answer.headers["set-cookie"] == "flavour=oat"
    assert answer.headers["apigw-requestid"]


def test_an_answer_without_status_code_is_200_json(api: Api) -> None:
    answer = requests.get(f"{api.url}/items/1?mode=plain", timeout=60)

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {"hello": "world"}


def test_a_base64_answer_is_decoded(api: Api) -> None:
    answer = requests.get(f"{api.url}/items/1?mode=binary", timeout=60)

    assert answer.content == b"\x00\x01\x02"


def test_a_json_body_arrives_as_text_and_a_binary_one_base64(api: Api) -> None:
    text = echoed(requests.patch(f"{api.url}/items/7", json={"status": "TESTING"}, timeout=60))
    binary = echoed(
        requests.patch(
            f"{api.url}/items/7",
            data=b"\x00\xff",
            headers={"Content-Type": "application/octet-stream"},
            timeout=60,
        )
    )

    assert (json.loads(text["body"]), text["isBase64Encoded"]) == ({"status": "TESTING"}, False)
    assert (binary["body"], binary["isBase64Encoded"]) == ("AP8=", True)


def test_the_most_specific_route_wins(api: Api) -> None:
    special = echoed(requests.get(f"{api.url}/items/special", timeout=60))
    greedy = echoed(requests.delete(f"{api.url}/files/a/b/c.bin", timeout=60))

    assert special["routeKey"] == "GET /items/special"
    assert "pathParameters" not in special
    assert greedy["routeKey"] == "ANY /files/{path+}"
    assert greedy["pathParameters"] == {"path": "a/b/c.bin"}


def test_without_a_route_the_api_answers_404(api: Api) -> None:
    for answer in (
        requests.get(f"{api.url}/nothing/here", timeout=60),
        requests.post(f"{api.url}/items/1", timeout=60),  # the path has routes, not this method
    ):
        assert answer.status_code == 404
        assert answer.json() == {"message": "Not Found"}


def test_a_named_stage_is_selected_by_the_first_segment(api: Api) -> None:
    event = echoed(requests.get(f"{api.url}/dev/items/3", timeout=60))

    assert event["requestContext"]["stage"] == "dev"
    assert event["rawPath"] == "/dev/items/3"  # API Gateway keeps a named stage in rawPath
    assert event["pathParameters"] == {"id": "3"}


def test_the_host_style_name_reaches_the_same_api(sandbox: RunningServer, api: Api) -> None:
    answer = requests.get(
        f"{sandbox.endpoint}/items/9", headers={"Host": api.host_style}, timeout=60
    )

    event = echoed(answer)
    assert event["pathParameters"] == {"id": "9"}
    assert event["requestContext"]["domainName"] == f"{api.api_id}.execute-api.localhost"


def test_a_failing_function_gets_500(api: Api) -> None:
    answer = requests.get(f"{api.url}/items/1?mode=raise", timeout=60)

    assert answer.status_code == 500
    assert answer.json() == {"message": "Internal Server Error"}


def test_a_function_that_outlasts_the_integration_gets_503(api: Api) -> None:
    answer = requests.get(f"{api.url}/hasty?mode=slow", timeout=60)

    assert answer.status_code == 503
    assert answer.json() == {"message": "Service Unavailable"}


def test_without_the_lambda_permission_the_api_answers_500(api: Api) -> None:
    answer = requests.get(f"{api.url}/refused", timeout=60)

    assert answer.status_code == 500
    assert answer.json() == {"message": "Internal Server Error"}


def test_an_unknown_api_is_not_found(sandbox: RunningServer) -> None:
    answer = requests.get(f"{sandbox.endpoint}/_api/nosuchapi/items/1", timeout=60)

    assert answer.status_code == 404


def test_the_api_answers_a_preflight_itself(api: Api) -> None:
    answer = requests.options(
        f"{api.url}/no/route/at/all",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "PATCH"},
        timeout=60,
    )

    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "https://app.example"
    assert answer.headers["access-control-allow-methods"] == "GET,PATCH"
    assert answer.headers["access-control-max-age"] == "60"


def test_the_api_s_cors_headers_replace_the_function_s(api: Api) -> None:
    def called_from(origin: str) -> requests.Response:
        return requests.get(f"{api.url}/items/1", headers={"Origin": origin}, timeout=60)

    allowed, foreign = called_from("https://app.example"), called_from("https://evil.example")

    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in foreign.headers


def test_api_traffic_for_a_foreign_name_is_refused_like_any_other(
    sandbox: RunningServer, api: Api
) -> None:
    # the request guard's Host check comes first: a rebinding page reaches no served API either
    answer = requests.get(
        f"{api.url}/items/1", headers={"Host": f"{api.api_id}.execute-api.evil.example"}, timeout=60
    )

    assert answer.status_code == 403
    assert "x-echo" not in answer.headers


def test_the_engine_s_own_answers_still_carry_no_cors_header(
    sandbox: RunningServer, api: Api
) -> None:
    answer = requests.options(
        f"{sandbox.endpoint}/",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
        timeout=60,
    )

    assert not [h for h in answer.headers if h.lower().startswith("access-control-")]
