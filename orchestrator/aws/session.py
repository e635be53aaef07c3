"""boto3 sessions and clients for one environment: real AWS, or the sandbox endpoint.

Clients are made once, on the main thread, and shared: boto3 clients are thread-safe, sessions
are not. Every client of one environment shares one retry policy and one dead-endpoint watch
(`aws/retries.py`) and one count of the requests sent (`aws/api_calls.py`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from orchestrator.aws.api_calls import ApiCalls
from orchestrator.aws.errors import error_message
from orchestrator.aws.retries import (
    AWS_DEAD_AFTER,
    DEFAULT_MAX_ATTEMPTS,
    SANDBOX_DEAD_AFTER,
    EndpointWatch,
    RetryPolicy,
)
from orchestrator.errors import OrchestratorError

# (access key id, secret access key): the pair the sandbox generated at start, which it requires
SandboxKeys = tuple[str, str]
_NO_SANDBOX_KEYS = ("AKIANOSANDBOXKEYS000", "none")  # a pair every sandbox refuses
SANDBOX_ACCOUNT = "123456789012"  # moto's account
POOL = 32  # connections per client: every workflow thread and the poller share them


@dataclass(frozen=True)
class AwsClients:
    region: str
    account: str
    cloudformation: Any
    s3: Any
    endpoint: str | None = None
    profile: str | None = None
    policy: RetryPolicy | None = None
    calls: ApiCalls = field(default_factory=ApiCalls)
    sandbox_keys: SandboxKeys | None = field(default=None, repr=False)

    def client(self, service: str) -> Any:
        """Another client of the same settings (the tests workflow's Lambda calls), on a
        session of its own: the caller may use it on another thread."""
        session = _session(self.region, self.profile, self.endpoint, self.sandbox_keys)
        return client_for(session, service, self.endpoint, self.policy, self.calls)


def _session(
    region: str, profile: str | None, endpoint: str | None, sandbox_keys: SandboxKeys | None = None
) -> boto3.Session:
    if endpoint is not None:
        # A sandbox never sees the caller's real credentials, whatever the environment holds:
        # only its own pair, which it requires.
        key_id, secret = sandbox_keys or _NO_SANDBOX_KEYS
        return boto3.Session(
            region_name=region,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            aws_session_token=None,
        )
    return boto3.Session(
        region_name=region, botocore_session=botocore.session.Session(profile=profile)
    )


def _config(endpoint: str | None, policy: RetryPolicy | None) -> Config:
    timeouts = {"connect_timeout": 2 if endpoint else 5, "max_pool_connections": POOL}
    if policy is None or policy.max_attempts is None:
        return Config(**timeouts)  # the user's retry mode, as configured
    # firefly's policy decides every retry; botocore's own handler must never add one
    return Config(retries={"mode": "standard", "total_max_attempts": 1}, **timeouts)


def client_for(
    session: boto3.Session,
    service: str,
    endpoint: str | None,
    policy: RetryPolicy | None,
    calls: ApiCalls | None,
) -> Any:
    config = _config(endpoint, policy)
    client = session.client(service, config=config, endpoint_url=endpoint)
    if policy is not None:
        policy.install(client)
    if calls is not None:
        calls.install(client)
    return client


def user_max_attempts(session: boto3.Session) -> int | None:
    """DEFAULT_MAX_ATTEMPTS, or the user's: None when they chose a retry mode of their own
    (AWS_RETRY_MODE or the profile's retry_mode), which firefly then leaves to botocore."""
    core = session._session  # boto3 exposes no public accessor for the config chain
    if os.environ.get("AWS_RETRY_MODE") or core.get_scoped_config().get("retry_mode"):
        return None
    configured = core.get_config_variable("max_attempts")
    return int(configured) if configured else DEFAULT_MAX_ATTEMPTS


def unreachable_message(region: str, endpoint: str | None) -> str:
    if endpoint is not None:
        return (
            f"the sandbox at {endpoint} stopped answering: it was stopped or killed, and every "
            "stack deployed there went with it; 'firefly sandbox status' tells, and the next "
            "command starts a new, empty sandbox"
        )
    return (
        f"AWS in {region} cannot be reached (no answer for {AWS_DEAD_AFTER:.0f} s): check the "
        "network, proxy or VPN, then run the command again"
    )


def connect(
    region: str,
    *,
    expected_account: str | None,
    profile: str | None = None,
    endpoint: str | None = None,
    sandbox_keys: SandboxKeys | None = None,
) -> AwsClients:
    """Clients for `region` (of the sandbox at `endpoint`, signing with `sandbox_keys`);
    refuses credentials of another account than `expected_account`."""
    try:
        session = _session(region, profile, endpoint, sandbox_keys)
        watch = EndpointWatch(
            unreachable_message(region, endpoint),
            SANDBOX_DEAD_AFTER if endpoint else AWS_DEAD_AFTER,
        )
        policy = RetryPolicy(watch, user_max_attempts(session))
        calls = ApiCalls()
        if endpoint:
            account = SANDBOX_ACCOUNT
        else:
            sts = client_for(session, "sts", endpoint, policy, calls)
            account = str(sts.get_caller_identity()["Account"])
    except ClientError as error:
        raise OrchestratorError(
            f"AWS credentials were refused: {error_message(error)}; "
            "check --profile or the AWS_* variables"
        ) from None
    except BotoCoreError as error:
        raise OrchestratorError(
            f"no usable AWS credentials ({error}); configure them with "
            "'aws configure', --profile or AWS_* variables"
        ) from None
    if expected_account is not None and account != expected_account:
        raise OrchestratorError(
            f"the credentials are for account {account}, but the environment "
            f"deploys to {expected_account}; use that account's profile"
        )
    return AwsClients(
        region=region,
        account=account,
        cloudformation=client_for(session, "cloudformation", endpoint, policy, calls),
        s3=client_for(session, "s3", endpoint, policy, calls),
        endpoint=endpoint,
        profile=profile,
        policy=policy,
        calls=calls,
        sandbox_keys=sandbox_keys,
    )
