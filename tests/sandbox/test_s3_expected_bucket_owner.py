"""s3_expected_bucket_owner: a request naming the bucket's owner is served, one naming another
account is refused with 403 AccessDenied, as S3's bucket owner condition does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from orchestrator.aws.artifacts import S3ArtifactStore, ensure_artifact_bucket
from orchestrator.aws.env_lock import S3LockStore
from orchestrator.aws.inventory import AwsInventory
from orchestrator.engine.ports import StackResource
from orchestrator.errors import OrchestratorError

Aws = Callable[[str], Any]
OWNER = "123456789012"  # moto's default account, the engine's
OTHER_ACCOUNT = "111111111111"


def refusal(call: Callable[[], Any]) -> tuple[int, str]:
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def test_the_owner_s_account_is_served(aws: Aws, bucket: str) -> None:
    s3 = aws("s3")
    s3.put_object(Bucket=bucket, Key="k", Body=b"v", ExpectedBucketOwner=OWNER)

    got = s3.get_object(Bucket=bucket, Key="k", ExpectedBucketOwner=OWNER)["Body"].read()
    s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=OWNER)
    assert got == b"v"


def test_another_account_is_refused_on_objects_and_the_bucket(aws: Aws, bucket: str) -> None:
    s3 = aws("s3")
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")

    put = refusal(
        lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x", ExpectedBucketOwner=OTHER_ACCOUNT)
    )
    get = refusal(lambda: s3.get_object(Bucket=bucket, Key="k", ExpectedBucketOwner=OTHER_ACCOUNT))
    head = refusal(lambda: s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=OTHER_ACCOUNT))
    listing = refusal(lambda: s3.list_objects_v2(Bucket=bucket, ExpectedBucketOwner=OTHER_ACCOUNT))

    assert (put, get, listing) == ((403, "AccessDenied"),) * 3
    assert head == (403, "403")  # a HEAD answer has no body to name the code
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"


def test_firefly_s_stores_refuse_a_bucket_of_another_account(aws: Aws, bucket: str) -> None:
    s3 = aws("s3")
    S3ArtifactStore(s3, bucket, OWNER).upload(b"zip", "a.zip")

    with pytest.raises(OrchestratorError, match=f"uploading s3://{bucket}/b.zip failed"):
        S3ArtifactStore(s3, bucket, OTHER_ACCOUNT).upload(b"zip", "b.zip")
    with pytest.raises(OrchestratorError, match=f"artifact bucket {bucket} cannot be used"):
        ensure_artifact_bucket(s3, bucket, "us-east-1", OTHER_ACCOUNT)
    with pytest.raises(OrchestratorError, match="cannot read the environment lock"):
        S3LockStore(s3, bucket, "dev", OTHER_ACCOUNT).read()
    assert S3LockStore(s3, bucket, "dev", OWNER).read() is None


def test_a_delete_neither_counts_nor_empties_a_bucket_of_another_account(
    aws: Aws, bucket: str
) -> None:
    s3, cloudformation, dynamodb = aws("s3"), aws("cloudformation"), aws("dynamodb")
    s3.put_object(Bucket=bucket, Key="data", Body=b"kept")
    resource = StackResource("Bucket", "AWS::S3::Bucket", bucket)
    foreign = AwsInventory(cloudformation, dynamodb, s3, bucket, OTHER_ACCOUNT)

    with pytest.raises(OrchestratorError):
        foreign.stored_count(resource)
    with pytest.raises(OrchestratorError):
        foreign.empty_bucket(bucket)
    with pytest.raises(OrchestratorError):
        foreign.delete_artifacts({"data"})
    assert s3.get_object(Bucket=bucket, Key="data")["Body"].read() == b"kept"
    owned = AwsInventory(cloudformation, dynamodb, s3, bucket, OWNER)
    assert owned.stored_count(resource) == 1
    assert owned.empty_bucket(bucket) == 1
