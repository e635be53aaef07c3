"""boto3 sessions and clients for one environment: real AWS, or the sandbox endpoint.

Clients are made once, on the main thread, and shared: boto3 clients are thread-safe, sessions
are not. Retries are botocore's adaptive mode, which also rate-limits the client itself when
CloudFormation starts throttling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from orchestrator.aws.errors import error_message
from orchestrator.errors import OrchestratorError

RETRIES = Config(retries={"mode": "adaptive", "max_attempts": 10}, max_pool_connections=32)
SANDBOX_CREDENTIALS = {
    "aws_access_key_id": "firefly",
    "aws_secret_access_key": "sandbox",
    "aws_session_token": None,
}
SANDBOX_ACCOUNT = "123456789012"  # moto's account


@dataclass(frozen=True)
class AwsClients:
    region: str
    account: str
    cloudformation: Any
    s3: Any
    endpoint: str | None = None

    def client(self, service: str) -> Any:
        """Another client of the same session (the tests workflow's Lambda calls)."""
        return _session(self.region, None, self.endpoint).client(
            service, config=RETRIES, endpoint_url=self.endpoint
        )


def _session(region: str, profile: str | None, endpoint: str | None) -> boto3.Session:
    if endpoint is not None:
        # A sandbox never sees the caller's real credentials, whatever the environment holds.
        return boto3.Session(region_name=region, **SANDBOX_CREDENTIALS)
    return boto3.Session(region_name=region, profile_name=profile)


def connect(
    region: str,
    *,
    expected_account: str | None,
    profile: str | None = None,
    endpoint: str | None = None,
) -> AwsClients:
    """Clients for `region`; refuses credentials of another account than `expected_account`."""
    try:
        session = _session(region, profile, endpoint)
        sts = session.client("sts", config=RETRIES, endpoint_url=endpoint)
        account = SANDBOX_ACCOUNT if endpoint else str(sts.get_caller_identity()["Account"])
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
        cloudformation=session.client("cloudformation", config=RETRIES, endpoint_url=endpoint),
        s3=session.client("s3", config=RETRIES, endpoint_url=endpoint),
        endpoint=endpoint,
    )
