"""The request guard (issue 16): only this machine's names, only the engine's own keys, and no
CORS header, so that neither a web page nor another local user can drive the sandbox."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from orchestrator.sandbox.guard.keys import KeyPair
from orchestrator.sandbox.server import RunningServer
from tests.sandbox_access import control_request, session

NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})
FOREIGN = KeyPair("AKIAFOREIGNKEY000000", "not-the-engine-s")
# service -> (a call that needs nothing made first, HTTP status, AWS error code)
UNKNOWN_KEY = {
    "sts": (lambda c: c.get_caller_identity(), 403, "InvalidClientTokenId"),
    "cloudformation": (lambda c: c.describe_stacks(), 403, "InvalidClientTokenId"),
    "iam": (lambda c: c.list_roles(), 403, "InvalidClientTokenId"),
    "dynamodb": (lambda c: c.list_tables(), 400, "UnrecognizedClientException"),
    "lambda": (lambda c: c.list_functions(), 403, "UnrecognizedClientException"),
    "s3": (lambda c: c.list_buckets(), 403, "InvalidAccessKeyId"),
}


def client(server: RunningServer, service: str, keys: KeyPair | None = None, **config: Any) -> Any:
    signing = session(keys or server.keys.client)
    return signing.client(
        service, endpoint_url=server.endpoint, config=NO_RETRIES.merge(Config(**config))
    )


def error(call: Callable[[], object]) -> tuple[int, str]:
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def as_host(host: str) -> Callable[..., None]:
    def rewrite(request: Any, **_: Any) -> None:
        request.headers["Host"] = host

    return rewrite


@pytest.mark.parametrize("host", ["rebind.evil.example", "rebind.evil.example:4566"])
def test_a_request_for_a_foreign_host_is_refused_and_creates_nothing(
    sandbox: RunningServer, host: str
) -> None:
    s3 = client(sandbox, "s3")
    s3.meta.events.register("before-send.s3.CreateBucket", as_host(host))

    status, code = error(lambda: s3.create_bucket(Bucket="rebound"))

    assert (status, code) == (403, "AccessDenied")
    names = [b["Name"] for b in client(sandbox, "s3").list_buckets()["Buckets"]]
    assert "rebound" not in names


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.3.4.5:9", "localhost", "LOCALHOST:1", "[::1]:4566", "a.localhost"]
)
def test_a_request_for_this_machine_passes(sandbox: RunningServer, host: str) -> None:
    sts = client(sandbox, "sts")
    sts.meta.events.register("before-send.sts.GetCallerIdentity", as_host(host))

    assert sts.get_caller_identity()["Account"]


def test_a_cors_preflight_gets_no_cors_header(sandbox: RunningServer) -> None:
    request = urllib.request.Request(
        f"{sandbox.endpoint}/bucket/key",
        method="OPTIONS",
        headers={
            "Origin": "http://evil.example",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            headers = dict(answer.headers)
    except urllib.error.HTTPError as refused:
        headers = dict(refused.headers)
        refused.close()

    assert not [name for name in headers if name.lower().startswith("access-control-")]


@pytest.mark.parametrize("service", sorted(UNKNOWN_KEY))
def test_a_foreign_key_is_refused_as_aws_refuses_an_unknown_key(
    sandbox: RunningServer, service: str
) -> None:
    call, status, code = UNKNOWN_KEY[service]

    assert error(lambda: call(client(sandbox, service, FOREIGN))) == (status, code)


def test_the_engine_s_pairs_are_accepted(sandbox: RunningServer) -> None:
    assert client(sandbox, "sts").get_caller_identity()["Account"]
    assert "Buckets" in client(sandbox, "s3", sandbox.keys.handler).list_buckets()


def test_an_unsigned_call_aws_signs_is_refused_and_creates_nothing(
    sandbox: RunningServer,
) -> None:
    cloudformation = client(sandbox, "cloudformation", signature_version=UNSIGNED)
    template = json.dumps({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}})

    status, code = error(
        lambda: cloudformation.create_stack(StackName="unsigned", TemplateBody=template)
    )

    assert (status, code) == (403, "MissingAuthenticationToken")
    stacks = client(sandbox, "cloudformation").describe_stacks()["Stacks"]
    assert "unsigned" not in [s["StackName"] for s in stacks]


def test_an_unauthenticated_cognito_call_passes_unsigned(sandbox: RunningServer) -> None:
    cognito = client(sandbox, "cognito-idp", signature_version=UNSIGNED)

    _, code = error(
        lambda: cognito.initiate_auth(
            ClientId="nobody", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={}
        )
    )

    assert code != "MissingAuthenticationTokenException"  # moto's own answer, not the guard's


def test_a_presigned_url_works_with_the_engine_s_key_only(sandbox: RunningServer) -> None:
    s3 = client(sandbox, "s3")
    s3.create_bucket(Bucket="presigned")
    s3.put_object(Bucket="presigned", Key="k", Body=b"body")
    good = s3.generate_presigned_url("get_object", Params={"Bucket": "presigned", "Key": "k"})
    foreign = client(sandbox, "s3", FOREIGN).generate_presigned_url(
        "get_object", Params={"Bucket": "presigned", "Key": "k"}
    )

    with urllib.request.urlopen(good, timeout=10) as answer:
        assert answer.read() == b"body"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(foreign, timeout=10)
    with refused.value as answer:
        assert (answer.code, b"InvalidAccessKeyId" in answer.read()) == (403, True)


def test_the_engine_s_own_endpoints_need_the_client_key(sandbox: RunningServer) -> None:
    counts = f"{sandbox.endpoint}/_firefly/faults"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(counts, timeout=10)
    with pytest.raises(urllib.error.HTTPError) as reset:
        urllib.request.urlopen(
            urllib.request.Request(f"{sandbox.endpoint}/moto-api/reset", method="POST"), timeout=10
        )
    request = control_request(sandbox.endpoint, "/_firefly/faults", sandbox.keys.client)
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200

    refused.value.close()
    reset.value.close()
    assert (refused.value.code, reset.value.code) == (403, 403)
