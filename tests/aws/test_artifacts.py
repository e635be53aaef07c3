"""The S3 artifact store over moto: content-hash keys uploaded once, the bucket made safe."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from orchestrator.aws.artifacts import S3ArtifactStore, ensure_artifact_bucket
from orchestrator.errors import OrchestratorError
from orchestrator.packaging import ArtifactStore, package_template, read_template
from tests.conftest import REPO

BUCKET = "firefly-artifacts-test"
REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's default account, which owns every bucket it makes


def s3_client(region: str = REGION) -> Any:
    return boto3.client(
        "s3", region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        yield s3_client()


@pytest.fixture
def puts(s3: Any) -> list[str]:
    """The key of every PutObject the client sends (upload_file of a small zip is one)."""
    sent: list[str] = []
    s3.meta.events.register(
        "before-parameter-build.s3.PutObject", lambda params, **_: sent.append(params["Key"])
    )
    return sent


def test_the_store_implements_the_packaging_protocol(s3: Any) -> None:
    store: ArtifactStore = S3ArtifactStore(s3, BUCKET, ACCOUNT)

    assert store.bucket == BUCKET


def test_a_missing_bucket_is_created_private_and_unversioned(s3: Any) -> None:
    assert ensure_artifact_bucket(s3, BUCKET, REGION, ACCOUNT) is True

    assert s3.get_bucket_location(Bucket=BUCKET)["LocationConstraint"] == REGION
    block = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    assert "Status" not in s3.get_bucket_versioning(Bucket=BUCKET)


def test_an_existing_bucket_is_left_as_it_is(s3: Any) -> None:
    ensure_artifact_bucket(s3, BUCKET, REGION, ACCOUNT)

    assert ensure_artifact_bucket(s3, BUCKET, REGION, ACCOUNT) is False


def test_us_east_1_gets_no_location_constraint() -> None:
    with mock_aws():
        client = s3_client("us-east-1")

        assert ensure_artifact_bucket(client, BUCKET, "us-east-1", ACCOUNT) is True
        assert client.get_bucket_location(Bucket=BUCKET)["LocationConstraint"] is None


def test_a_bucket_of_another_account_is_a_clear_error() -> None:
    client = s3_client()
    with Stubber(client) as stubber:
        stubber.add_client_error(
            "head_bucket",
            service_error_code="403",
            service_message="Forbidden",
            http_status_code=403,
        )

        with pytest.raises(OrchestratorError, match=f"artifact bucket {BUCKET} cannot be used"):
            ensure_artifact_bucket(client, BUCKET, REGION, ACCOUNT)


def test_exists_is_false_until_a_key_is_uploaded(s3: Any, tmp_path: Path) -> None:
    ensure_artifact_bucket(s3, BUCKET, REGION, ACCOUNT)
    store = S3ArtifactStore(s3, BUCKET, ACCOUNT)
    (tmp_path / "a.zip").write_bytes(b"zip")

    assert not store.exists("f/a.zip")
    store.upload(tmp_path / "a.zip", "f/a.zip")
    store.upload(b"more", "f/b.zip")

    assert store.exists("f/a.zip")
    assert s3.get_object(Bucket=BUCKET, Key="f/b.zip")["Body"].read() == b"more"


def test_every_call_on_the_bucket_names_its_owner(s3: Any, tmp_path: Path) -> None:
    sent: list[tuple[str, str | None]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        sent.append((model.name, params.get("ExpectedBucketOwner")))

    s3.meta.events.register("before-parameter-build.s3", record)
    (tmp_path / "a.zip").write_bytes(b"zip")
    ensure_artifact_bucket(s3, BUCKET, REGION, ACCOUNT)
    store = S3ArtifactStore(s3, BUCKET, ACCOUNT)
    store.exists("a.zip")
    store.upload(tmp_path / "a.zip", "a.zip")
    store.upload(b"zip", "b.zip")

    # CreateBucket is the one S3 call without a bucket owner condition: it makes the bucket
    assert {name for name, owner in sent if owner != ACCOUNT} == {"CreateBucket"}
    assert {"HeadBucket", "PutPublicAccessBlock", "HeadObject", "PutObject"} <= {
        name for name, _ in sent
    }


def test_a_forbidden_head_is_an_error_not_a_missing_key() -> None:
    client = s3_client()
    with Stubber(client) as stubber:
        stubber.add_client_error(
            "head_object",
            service_error_code="403",
            service_message="Forbidden",
            http_status_code=403,
        )

        with pytest.raises(OrchestratorError, match=r"cannot check s3://.*/k\.zip: 403"):
            S3ArtifactStore(client, BUCKET, ACCOUNT).exists("k.zip")


def test_an_upload_to_a_missing_bucket_is_a_one_line_error(s3: Any) -> None:
    with pytest.raises(OrchestratorError, match="uploading s3://") as caught:
        S3ArtifactStore(s3, "no-such-bucket", ACCOUNT).upload(b"zip", "k.zip")

    assert "\n" not in caught.value.message


def test_repository_stacks_upload_once_then_never_again(
    s3: Any, puts: list[str], tmp_path: Path
) -> None:
    ensure_artifact_bucket(s3, BUCKET, REGION, ACCOUNT)
    store = S3ArtifactStore(s3, BUCKET, ACCOUNT)
    stacks = {
        name: REPO / "stacks" / name for name in ("func-api-firmware-status-patch", "shared-layer")
    }

    def run() -> list[Any]:
        return [
            package_template(
                read_template(folder / "template.yaml"),
                folder,
                store,
                workers=2,
                cache_dir=tmp_path,
            )
            for folder in stacks.values()
        ]

    first = run()
    uploaded = list(puts)
    second = run()

    keys = [artifact.key for packaged in first for artifact in packaged.artifacts]
    assert sorted(uploaded) == sorted(keys)
    assert puts == uploaded  # the second run sent nothing
    assert [p.uploads for p in second] == [0, 0]
    code_uri = second[0].template["Resources"]["Function"]["Properties"]["CodeUri"]
    assert code_uri == f"s3://{BUCKET}/{keys[0]}"
    assert s3.head_object(Bucket=BUCKET, Key=keys[1])["ContentLength"] > 0
