"""firefly's retry policy and dead-endpoint watch, driving real botocore clients."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from orchestrator.aws.api_calls import ApiCalls
from orchestrator.aws.retries import (
    BASE_DELAY,
    MAX_DELAY,
    EndpointWatch,
    RetryPolicy,
    backoff,
)
from orchestrator.aws.session import client_for, user_max_attempts
from orchestrator.errors import EndpointUnreachable
from tests.aws.scripted_server import DENIED, INTERNAL, THROTTLED, Script, scripted_server
from tests.conftest import free_port


def session() -> boto3.Session:
    return boto3.Session(aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1")


def cloudformation(
    endpoint: str, attempts: int | None = 5, dead_after: float = 0.2, calls: ApiCalls | None = None
) -> Any:
    policy = RetryPolicy(EndpointWatch("the endpoint is gone", dead_after), attempts, lambda: 0.0)
    return client_for(session(), "cloudformation", endpoint, policy, calls)


def test_backoff_is_full_jitter_under_a_doubling_cap() -> None:
    assert backoff(1, lambda: 0.999) < BASE_DELAY
    assert backoff(3, lambda: 0.999) == pytest.approx(0.999 * BASE_DELAY * 4)
    assert backoff(30, lambda: 1.0) == MAX_DELAY
    assert backoff(5, lambda: 0.0) == 0.0


def test_throttling_and_server_errors_are_retried_until_an_answer() -> None:
    script = Script([THROTTLED, INTERNAL, THROTTLED, THROTTLED])
    calls = ApiCalls()
    with scripted_server(script) as endpoint:
        assert cloudformation(endpoint, calls=calls).describe_stacks()["Stacks"] == []
    assert script.requests == 5
    assert calls.counts() == {"cloudformation:DescribeStacks": 5}  # every attempt counts


def test_attempts_stop_at_the_limit_with_aws_answer() -> None:
    script = Script([THROTTLED] * 10)
    with scripted_server(script) as endpoint, pytest.raises(ClientError, match="Rate exceeded"):
        cloudformation(endpoint, attempts=3).describe_stacks()
    assert script.requests == 3


def test_a_refusal_is_not_retried() -> None:
    script = Script([DENIED])
    with scripted_server(script) as endpoint, pytest.raises(ClientError, match="AccessDenied"):
        cloudformation(endpoint).describe_stacks()
    assert script.requests == 1


def test_the_users_max_attempts_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_RETRY_MODE", raising=False)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    assert user_max_attempts(session()) == 2
    monkeypatch.delenv("AWS_MAX_ATTEMPTS")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    assert user_max_attempts(session()) == 10


def test_a_retry_mode_of_the_users_own_is_left_to_botocore(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    assert user_max_attempts(session()) is None
    script = Script([THROTTLED] * 5)
    with scripted_server(script) as endpoint, pytest.raises(ClientError, match="Rate exceeded"):
        cloudformation(endpoint, attempts=None).describe_stacks()
    assert script.requests == 2  # botocore's standard mode, with the user's two attempts


def test_a_dead_endpoint_is_told_once_it_stays_silent_then_at_once() -> None:
    calls = ApiCalls()
    client = cloudformation(f"http://127.0.0.1:{free_port()}", dead_after=0.2, calls=calls)
    with pytest.raises(EndpointUnreachable, match="the endpoint is gone"):
        client.describe_stacks()
    tried = calls.counts()["cloudformation:DescribeStacks"]
    assert tried >= 2  # retried while it might have been a blip
    with pytest.raises(EndpointUnreachable):
        client.describe_stacks()
    assert calls.counts()["cloudformation:DescribeStacks"] == tried  # no request sent


def test_an_answer_resets_the_watch() -> None:
    clock = iter([0.0, 5.0, 100.0]).__next__
    watch = EndpointWatch("gone", dead_after=10.0, clock=clock)
    assert not watch.silent()
    watch.answered()
    assert not watch.silent()  # 5 s after the answer's reset starts a new silence
    assert watch.silent()


def test_an_unreachable_aws_is_said_as_such_not_as_missing_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import orchestrator.aws.session as session_module

    monkeypatch.setattr(session_module, "AWS_DEAD_AFTER", 0.2)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    with pytest.raises(EndpointUnreachable, match=r"^AWS in eu-west-1 cannot be reached"):
        session_module.connect("eu-west-1", expected_account=None)
