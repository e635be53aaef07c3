"""Conformance of the injected faults: each service answers a throttled or failed call as AWS
documents it, botocore reads the documented error and retries it, and the engine's own work,
presigned URLs and the services beyond the four are never faulted.

Each engine here runs in this process with every eligible call faulted (throttle=1 or error=1).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from orchestrator.sandbox.guard.keys import KeyPair
from orchestrator.sandbox.server import RunningServer, start_server
from tests.sandbox_access import control_request, session

REGION = "us-east-1"
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})
ONE_RETRY = Config(retries={"total_max_attempts": 2, "mode": "standard"})
# one call of each eligible service that needs nothing made beforehand
CALLS: dict[str, Callable[[Any], object]] = {
    "cloudformation": lambda client: client.describe_stacks(),
    "sts": lambda client: client.get_caller_identity(),
    "s3": lambda client: client.list_buckets(),
    "lambda": lambda client: client.list_functions(),
}
# service -> (HTTP status, error code, message) as AWS documents them
THROTTLED = {
    "cloudformation": (400, "Throttling", "Rate exceeded"),
    "sts": (400, "Throttling", "Rate exceeded"),
    "s3": (503, "SlowDown", "Please reduce your request rate."),
    "lambda": (429, "TooManyRequestsException", "Rate exceeded"),
}
FAILED = {
    "cloudformation": (500, "InternalFailure"),
    "sts": (500, "InternalFailure"),
    "s3": (500, "InternalError"),
    "lambda": (500, "ServiceException"),
}


@pytest.fixture(scope="module")
def throttling() -> Iterator[RunningServer]:
    server = start_server(port=0, faults="throttle=1")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def failing() -> Iterator[RunningServer]:
    server = start_server(port=0, faults="error=1,seed=3")
    yield server
    server.stop()


def client(
    server: RunningServer, service: str, config: Config = NO_RETRIES, keys: KeyPair | None = None
) -> Any:
    signing = session(keys or server.keys.client)
    return signing.client(service, endpoint_url=server.endpoint, config=config)


def refusal(server: RunningServer, service: str, config: Config = NO_RETRIES) -> dict[str, Any]:
    with pytest.raises(ClientError) as raised:
        CALLS[service](client(server, service, config))
    response: dict[str, Any] = raised.value.response
    return response


def counts(server: RunningServer) -> dict[str, Any]:
    request = control_request(server.endpoint, "/_firefly/faults", server.keys.client)
    with urllib.request.urlopen(request, timeout=10) as answer:
        loaded: dict[str, Any] = json.loads(answer.read())
    return loaded


@pytest.mark.parametrize("service", sorted(THROTTLED))
def test_a_throttled_call_is_answered_as_aws_answers_it(
    throttling: RunningServer, service: str
) -> None:
    response = refusal(throttling, service)

    status, code, message = THROTTLED[service]
    assert (response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]) == (
        status,
        code,
    )
    assert response["Error"]["Message"] == message
    assert response["ResponseMetadata"]["RequestId"]


@pytest.mark.parametrize("service", sorted(FAILED))
def test_an_internal_failure_is_answered_as_aws_answers_it(
    failing: RunningServer, service: str
) -> None:
    response = refusal(failing, service)

    assert (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
    ) == FAILED[service]
    assert response["Error"]["Message"]
    assert response["ResponseMetadata"]["RequestId"]


def test_the_query_protocol_says_whose_fault_it_was(
    throttling: RunningServer, failing: RunningServer
) -> None:
    assert refusal(throttling, "cloudformation")["Error"]["Type"] == "Sender"
    assert refusal(failing, "sts")["Error"]["Type"] == "Receiver"


def test_lambda_names_the_throttling_reason(throttling: RunningServer) -> None:
    lam = client(throttling, "lambda")

    with pytest.raises(lam.exceptions.TooManyRequestsException) as raised:
        lam.list_functions()

    assert raised.value.response["Reason"] == "CallerRateLimitExceeded"
    headers = raised.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amzn-errortype"] == "TooManyRequestsException"


def test_s3_sends_its_own_request_id_headers(throttling: RunningServer) -> None:
    headers = refusal(throttling, "s3")["ResponseMetadata"]["HTTPHeaders"]

    assert headers["x-amz-request-id"] and headers["x-amz-id-2"]


def test_a_throttled_head_request_is_its_status(throttling: RunningServer) -> None:
    with pytest.raises(ClientError) as raised:
        client(throttling, "s3").head_bucket(Bucket="firmware")

    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503


@pytest.mark.parametrize("service", sorted(CALLS))
def test_botocore_retries_every_fault(
    throttling: RunningServer, failing: RunningServer, service: str
) -> None:
    for server in (throttling, failing):
        metadata = refusal(server, service, ONE_RETRY)["ResponseMetadata"]

        assert (metadata["RetryAttempts"], metadata["MaxAttemptsReached"]) == (1, True)


def test_the_counts_say_what_was_faulted(failing: RunningServer) -> None:
    before = counts(failing)
    refusal(failing, "s3")
    refusal(failing, "s3")
    after = counts(failing)

    assert after["eligible"] - before["eligible"] == 2
    assert after["failed"] - before["failed"] == 2
    assert after["throttled"] == before["throttled"] == 0
    assert after["faults"] == "throttle=0,error=1,seed=3"


def test_the_engine_s_own_work_is_never_faulted(throttling: RunningServer) -> None:
    before = counts(throttling)

    with urllib.request.urlopen(f"{throttling.endpoint}/moto-api/", timeout=10) as answer:
        assert answer.status == 200
    # what a hosted Lambda handler calls with: the engine's own key for its handlers
    # (the client makes one attempt: a throttled answer would raise; other tests' buckets may be
    # listed, as the in-process engine shares moto's backend)
    assert "Buckets" in client(throttling, "s3", keys=throttling.keys.handler).list_buckets()
    # IAM is no service the injector faults
    assert "Roles" in client(throttling, "iam").list_roles()

    assert counts(throttling) == before


def test_presigned_urls_are_never_faulted(throttling: RunningServer) -> None:
    s3, before = client(throttling, "s3"), counts(throttling)

    def presigned(method: str, action: str, data: bytes | None = None, **params: str) -> int:
        url = s3.generate_presigned_url(action, Params=params)
        request = urllib.request.Request(url, data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)

    assert presigned("PUT", "create_bucket", Bucket="presigned") == 200
    assert presigned("PUT", "put_object", b"firmware", Bucket="presigned", Key="k") == 200
    assert presigned("GET", "get_object", Bucket="presigned", Key="k") == 200
    assert counts(throttling) == before
