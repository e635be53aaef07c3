"""s3_bucket_policy_conditions: bucket policies with conditions are enforced the AWS way on the
engine's object requests (an applying Deny wins; an unmet condition makes a statement not apply)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from moto.s3.models import FakeBucket
from moto.s3.responses import S3Response

from orchestrator.sandbox.fixes import s3_bucket_policy_conditions
from orchestrator.sandbox.server import RunningServer
from tests.sandbox.cfn_support import unique

Aws = Callable[[str], Any]
ACCOUNT = "123456789012"  # moto's default account, the engine's
OTHER_ACCOUNT = "111111111111"


@pytest.fixture
def bucket(aws: Aws) -> Iterator[str]:
    s3, name = aws("s3"), unique("policy")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="a.txt", Body=b"a")
    yield name
    s3.delete_bucket_policy(Bucket=name)
    for found in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=found["Key"])
    s3.delete_bucket(Bucket=name)


def put_policy(s3: Any, bucket: str, *statements: dict[str, Any]) -> None:
    s3.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    )


def statement(bucket: str, effect: str, **fields: Any) -> dict[str, Any]:
    return {
        "Effect": effect,
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        **fields,
    }


def status(call: Callable[[], dict[str, Any]]) -> int:
    try:
        return int(call()["ResponseMetadata"]["HTTPStatusCode"])
    except ClientError as exc:
        return int(exc.response["ResponseMetadata"]["HTTPStatusCode"])


def object_requests(s3: Any, bucket: str) -> list[int]:
    """The status of a put, get, head and delete of objects in `bucket`."""
    return [
        status(lambda: s3.put_object(Bucket=bucket, Key="b.txt", Body=b"b")),
        status(lambda: s3.get_object(Bucket=bucket, Key="a.txt")),
        status(lambda: s3.head_object(Bucket=bucket, Key="a.txt")),
        status(lambda: s3.delete_object(Bucket=bucket, Key="b.txt")),
    ]


def test_deny_insecure_transport_does_not_block_the_engine_s_clients(aws: Aws, bucket: str) -> None:
    s3 = aws("s3")
    put_policy(
        s3,
        bucket,
        statement(
            bucket,
            "Deny",
            Sid="DenyInsecureTransport",
            Condition={"Bool": {"aws:SecureTransport": "false"}},
        ),
    )

    assert object_requests(s3, bucket) == [200, 200, 200, 204]


@pytest.mark.parametrize(
    "condition",
    [
        {"StringNotEquals": {"aws:PrincipalAccount": OTHER_ACCOUNT}},
        {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}},
        {"Null": {"aws:PrincipalArn": "false", "aws:userid": "false"}},
        {"BoolIfExists": {"aws:SecureTransport": "true"}},
    ],
)
def test_a_deny_whose_condition_holds_denies(
    aws: Aws, bucket: str, condition: dict[str, Any]
) -> None:
    s3 = aws("s3")
    put_policy(s3, bucket, statement(bucket, "Deny", Condition=condition))

    assert object_requests(s3, bucket) == [403, 403, 403, 403]


def test_a_deny_whose_condition_fails_does_not_deny(aws: Aws, bucket: str) -> None:
    s3 = aws("s3")
    put_policy(
        s3,
        bucket,
        statement(bucket, "Deny", Condition={"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}}),
    )

    assert object_requests(s3, bucket) == [200, 200, 200, 204]


def test_an_allow_with_an_unmet_condition_does_not_deny_by_itself(aws: Aws, bucket: str) -> None:
    s3 = aws("s3")
    put_policy(
        s3,
        bucket,
        statement(
            bucket,
            "Allow",
            Condition={
                "StringEquals": {"aws:PrincipalAccount": OTHER_ACCOUNT},
                "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
            },
        ),
    )

    assert object_requests(s3, bucket) == [200, 200, 200, 204]


def test_a_deny_without_conditions_denies(aws: Aws, bucket: str) -> None:
    s3 = aws("s3")
    put_policy(s3, bucket, statement(bucket, "Deny", Action=["s3:GetObject", "s3:DeleteObject"]))
    deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a.txt"}]})

    # HeadObject is authorized as s3:GetObject; PutObject is not denied
    assert object_requests(s3, bucket) == [200, 403, 403, 403]
    assert [e["Code"] for e in deleted["Errors"]] == ["AccessDenied"]


def test_an_unknown_operator_leaves_its_deny_unenforced(aws: Aws, bucket: str) -> None:
    s3 = aws("s3")
    put_policy(
        s3,
        bucket,
        statement(bucket, "Deny", Condition={"NoSuchOperator": {"aws:SecureTransport": "true"}}),
    )

    assert status(lambda: s3.get_object(Bucket=bucket, Key="a.txt")) == 200


def test_an_anonymous_request_lacks_the_principal_keys(
    aws: Aws, bucket: str, sandbox: RunningServer
) -> None:
    s3 = aws("s3")
    s3.put_object(Bucket=bucket, Key="public/p.txt", Body=b"p", ACL="public-read")
    outsiders = {"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}}
    put_policy(
        s3,
        bucket,
        statement(bucket, "Deny", Resource=f"arn:aws:s3:::{bucket}/public/*", Condition=outsiders),
    )
    anonymous = requests.get(f"{sandbox.endpoint}/{bucket}/public/p.txt", timeout=10)

    # the caller of the account passes; a request without credentials has no aws:PrincipalAccount,
    # so the negated condition holds (IAM User Guide, "Condition operators") and the Deny applies
    assert status(lambda: s3.get_object(Bucket=bucket, Key="public/p.txt")) == 200
    assert anonymous.status_code == 403


def test_install_is_idempotent(sandbox: RunningServer) -> None:
    serving, deciding = S3Response._key_response, FakeBucket.get_permission
    s3_bucket_policy_conditions.install()

    assert (S3Response._key_response, FakeBucket.get_permission) == (serving, deciding)


def test_a_principal_is_the_caller_s_role(
    aws: Aws, bucket: str, sandbox: RunningServer, lambda_role: str
) -> None:
    s3 = aws("s3")
    credentials = aws("sts").assume_role(RoleArn=lambda_role, RoleSessionName="policy")[
        "Credentials"
    ]
    as_role = boto3.client(
        "s3",
        endpoint_url=sandbox.endpoint,
        region_name="us-east-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    put_policy(
        s3, bucket, statement(bucket, "Deny", Principal={"AWS": lambda_role}, Action="s3:GetObject")
    )

    # a role session's aws:PrincipalArn is the role's ARN, so the Deny names its sessions
    assert status(lambda: as_role.get_object(Bucket=bucket, Key="a.txt")) == 403
    assert status(lambda: s3.get_object(Bucket=bucket, Key="a.txt")) == 200
