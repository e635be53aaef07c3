"""Fixtures of the sandbox tests: one engine per session on 127.0.0.1, and boto3 clients for it.

Keep fixtures additive: both halves of the sandbox (lifecycle and services, CloudFormation) use
this file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.config import Config

from orchestrator.sandbox.server import RunningServer, start_server
from tests.sandbox.cfn_support import unique
from tests.sandbox_access import session

REGION = "us-east-1"


@pytest.fixture(scope="session")
def sandbox() -> Iterator[RunningServer]:
    """The engine, started once for the session with every fix installed, and stopped."""
    server = start_server(port=0)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def aws(sandbox: RunningServer) -> Callable[[str], Any]:
    """`aws("cloudformation")`: a client of the session's engine (its key pair, no retries)."""
    signing = session(sandbox.keys.client)
    config = Config(retries={"total_max_attempts": 1, "mode": "standard"})
    clients: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in clients:
            clients[service] = signing.client(service, endpoint_url=sandbox.endpoint, config=config)
        return clients[service]

    return client


@pytest.fixture(scope="session")
def lambda_role(aws: Callable[[str], Any]) -> str:
    """The ARN of a role Lambda may assume (moto refuses a function whose role is missing)."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role: dict[str, Any] = aws("iam").create_role(
        RoleName="sandbox-tests-lambda", AssumeRolePolicyDocument=json.dumps(trust)
    )["Role"]
    return str(role["Arn"])


@pytest.fixture
def bucket(aws: Callable[[str], Any]) -> Iterator[str]:
    """A new, empty bucket of the session's engine; emptied and deleted after the test."""
    s3, name = aws("s3"), unique("bucket")
    s3.create_bucket(Bucket=name)
    yield name
    for found in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=found["Key"])
    s3.delete_bucket(Bucket=name)
