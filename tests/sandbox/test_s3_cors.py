"""S3 CORS per the bucket's CORS configuration (issue 18): a web app's browser may upload to a
presigned URL from the origins the bucket allows, and from no other; every other answer of the
engine still carries no CORS header."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from orchestrator.sandbox import s3_cors
from orchestrator.sandbox.server import RunningServer
from tests.sandbox.cfn_support import settle, unique

Aws = Callable[[str], Any]
APP = "http://localhost:3000"
EVIL = "http://evil.example"
UPLOAD_RULE = {"AllowedMethods": ["PUT"], "AllowedOrigins": [APP], "AllowedHeaders": ["*"]}


def send(url: str, method: str, headers: dict[str, str], body: bytes | None = None) -> Any:
    """(status, headers, body) of a plain HTTP request, as a browser sends it: unsigned."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as refused:
        with refused:
            return refused.code, refused.headers, refused.read()


def preflight(url: str, origin: str, method: str = "PUT", headers: str = "content-type") -> Any:
    return send(
        url,
        "OPTIONS",
        {
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )


def cors_headers(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower().startswith("access-control-")}


def bucket_with_cors(aws: Aws, *rules: dict[str, Any]) -> str:
    s3, name = aws("s3"), f"cors-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    if rules:
        s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": list(rules)})
    return name


def test_a_preflight_from_an_allowed_origin_gets_s3_s_headers(
    sandbox: RunningServer, aws: Aws
) -> None:
    bucket = bucket_with_cors(
        aws, {**UPLOAD_RULE, "MaxAgeSeconds": 3000, "ExposeHeaders": ["ETag"]}
    )

    status, headers, _ = preflight(f"{sandbox.endpoint}/{bucket}/session-uploads/a.png", APP)

    assert status == 200
    assert cors_headers(headers) == {
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "PUT",
        "access-control-allow-headers": "content-type",
        "access-control-expose-headers": "ETag",
        "access-control-max-age": "3000",
        "access-control-allow-credentials": "true",
    }
    assert headers["Vary"] == s3_cors.VARY


def test_a_presigned_put_from_an_allowed_origin_carries_the_allow_origin(
    sandbox: RunningServer, aws: Aws
) -> None:
    bucket = bucket_with_cors(aws, UPLOAD_RULE)
    url = aws("s3").generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "a.png"})

    status, headers, _ = send(url, "PUT", {"Origin": APP, "Content-Type": "image/png"}, b"image")

    assert status == 200
    assert cors_headers(headers)["access-control-allow-origin"] == APP
    assert aws("s3").get_object(Bucket=bucket, Key="a.png")["Body"].read() == b"image"


def test_another_origin_is_refused_its_preflight_and_gets_no_cors_header_when_served(
    sandbox: RunningServer, aws: Aws
) -> None:
    bucket = bucket_with_cors(aws, UPLOAD_RULE)
    url = aws("s3").generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "e.png"})

    status, headers, body = preflight(f"{sandbox.endpoint}/{bucket}/e.png", EVIL)
    put_status, put_headers, _ = send(
        url, "PUT", {"Origin": EVIL, "Content-Type": "image/png"}, b"image"
    )

    assert (status, cors_headers(headers)) == (403, {})
    assert b"<Code>AccessForbidden</Code>" in body
    assert s3_cors.NOT_ALLOWED.encode() in body
    assert b"<Method>PUT</Method><ResourceType>OBJECT</ResourceType>" in body
    # S3 serves a request from a disallowed origin: the browser, not S3, keeps the page out
    assert (put_status, cors_headers(put_headers)) == (200, {})


@pytest.mark.parametrize(
    ("method", "headers"), [("GET", "content-type"), ("PUT", "x-amz-acl, content-type")]
)
def test_a_preflight_for_a_method_or_header_no_rule_allows_is_refused(
    sandbox: RunningServer, aws: Aws, method: str, headers: str
) -> None:
    rule = {**UPLOAD_RULE, "AllowedHeaders": ["content-*"]}
    bucket = bucket_with_cors(aws, rule)

    status, answer, _ = preflight(f"{sandbox.endpoint}/{bucket}/k", APP, method, headers)

    assert (status, cors_headers(answer)) == (403, {})


def test_the_first_matching_rule_decides_and_a_wildcard_origin_gets_a_wildcard(
    sandbox: RunningServer, aws: Aws
) -> None:
    bucket = bucket_with_cors(
        aws,
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["http://*.example.com"]},
        {"AllowedMethods": ["GET", "HEAD"], "AllowedOrigins": ["*"]},
    )
    url = f"{sandbox.endpoint}/{bucket}"

    _, sub, _ = preflight(url, "http://app.example.com", "GET", "")
    _, anyone, _ = preflight(url, "http://other.example", "GET", "")

    assert cors_headers(sub)["access-control-allow-origin"] == "http://app.example.com"
    assert cors_headers(sub)["access-control-allow-methods"] == "GET"
    assert cors_headers(anyone) == {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": "GET, HEAD",
    }


def test_a_bucket_without_cors_configuration_refuses_a_preflight(
    sandbox: RunningServer, aws: Aws
) -> None:
    bucket = bucket_with_cors(aws)

    status, headers, body = preflight(f"{sandbox.endpoint}/{bucket}", APP)

    assert (status, cors_headers(headers)) == (403, {})
    assert s3_cors.NOT_ENABLED.encode() in body
    assert b"<ResourceType>BUCKET</ResourceType>" in body


def test_a_preflight_without_origin_or_bucket_is_refused_as_s3_refuses_it(
    sandbox: RunningServer,
) -> None:
    no_origin = send(f"{sandbox.endpoint}/no-such-bucket-cors/k", "OPTIONS", {})
    no_bucket = preflight(f"{sandbox.endpoint}/no-such-bucket-cors/k", APP)

    assert (no_origin[0], s3_cors.NO_ORIGIN.encode() in no_origin[2]) == (400, True)
    assert (no_bucket[0], s3_cors.NO_BUCKET.encode() in no_bucket[2]) == (403, True)


def test_answers_of_other_services_carry_no_cors_header(sandbox: RunningServer, aws: Aws) -> None:
    sts = aws("sts")
    sent: dict[str, Any] = {}

    def with_origin(request: Any, **_: Any) -> None:
        request.headers["Origin"] = APP

    def keep(http_response: Any, **_: Any) -> None:
        sent.update(http_response.headers)

    sts.meta.events.register("before-send.sts.GetCallerIdentity", with_origin)
    sts.meta.events.register("after-call.sts.GetCallerIdentity", keep)
    bucket_with_cors(aws, {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]})

    sts.get_caller_identity()

    assert sent and cors_headers(sent) == {}


def test_a_virtual_host_style_preflight_is_decided_by_the_bucket_its_host_names(
    sandbox: RunningServer, aws: Aws
) -> None:
    bucket = bucket_with_cors(aws, UPLOAD_RULE)
    headers = {"Origin": APP, "Access-Control-Request-Method": "PUT"}

    status, answer, _ = send(
        f"{sandbox.endpoint}/k", "OPTIONS", {**headers, "Host": f"{bucket}.s3.localhost"}
    )

    assert (status, cors_headers(answer)["access-control-allow-origin"]) == (200, APP)


def bucket_template(name: str, cors: dict[str, Any] | None) -> str:
    properties: dict[str, Any] = {"BucketName": name}
    if cors:
        properties["CorsConfiguration"] = cors
    return json.dumps({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": properties}}})


def test_a_stack_s_cors_configuration_is_the_bucket_s_until_the_template_drops_it(
    sandbox: RunningServer, aws: Aws
) -> None:
    cfn, name = aws("cloudformation"), unique("corsstack")
    cors = {"CorsRules": [{**UPLOAD_RULE, "MaxAge": 60}]}
    cfn.create_stack(StackName=name, TemplateBody=bucket_template(name, cors))
    settle(cfn, name)

    status, headers, _ = preflight(f"{sandbox.endpoint}/{name}/k", APP)
    assert status == 200
    assert cors_headers(headers)["access-control-max-age"] == "60"
    assert aws("s3").get_bucket_cors(Bucket=name)["CORSRules"][0]["AllowedOrigins"] == [APP]

    cfn.update_stack(StackName=name, TemplateBody=bucket_template(name, None))
    assert settle(cfn, name)["StackStatus"] == "UPDATE_COMPLETE"

    status, _, body = preflight(f"{sandbox.endpoint}/{name}/k", APP)
    assert (status, s3_cors.NOT_ENABLED.encode() in body) == (403, True)
