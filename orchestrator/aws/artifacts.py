"""The artifact bucket: where packaged Lambda zips go, under content-hash keys.

`S3ArtifactStore` implements `orchestrator.packaging.ArtifactStore`, the way aws-sam-cli's
`S3Uploader` does: a key that exists is never uploaded again (the key is the zip's sha256).

Every call names the account that must own the bucket (`ExpectedBucketOwner`, the account the
credentials belong to): bucket names are global, and a bucket of that name in another account
is refused by S3 with 403 AccessDenied instead of receiving the code that CloudFormation deploys
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from boto3.exceptions import S3UploadFailedError
from botocore.exceptions import BotoCoreError, ClientError

from orchestrator.aws.errors import error_code, is_not_found, one_line_reason
from orchestrator.errors import OrchestratorError

US_EAST_1 = "us-east-1"
BLOCK_ALL_PUBLIC_ACCESS = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
_ALREADY_MINE = "BucketAlreadyOwnedByYou"


class S3ArtifactStore:
    """Zips in one bucket, owned by account `owner`; `s3_client` is a boto3 S3 client, shared
    across threads."""

    def __init__(self, s3_client: Any, bucket: str, owner: str) -> None:
        self.s3 = s3_client
        self.bucket = bucket
        self._owner = owned_by(owner)

    def exists(self, key: str) -> bool:
        try:
            self.s3.head_object(Bucket=self.bucket, Key=key, **self._owner)
        except ClientError as error:
            # A HEAD response has no body, so the code is the bare HTTP status ("404"), not
            # "NoSuchKey". Without s3:ListBucket a missing key answers 403 instead: that is
            # reported, not taken for "missing", since an upload would then fail the same way.
            if is_not_found(error):
                return False
            raise OrchestratorError(
                f"cannot check s3://{self.bucket}/{key}: {one_line_reason(error)} (the deploy role "
                "needs s3:GetObject and s3:ListBucket on the artifact bucket)"
            ) from error
        except BotoCoreError as error:
            raise OrchestratorError(
                f"cannot check s3://{self.bucket}/{key}: {one_line_reason(error)}"
            ) from error
        return True

    def url(self, key: str) -> str:
        """The object's HTTPS URL, as CloudFormation reads a TemplateURL."""
        endpoint = str(self.s3.meta.endpoint_url).rstrip("/")
        return f"{endpoint}/{self.bucket}/{key}"

    def upload(self, source: Path | bytes, key: str) -> None:
        try:
            if isinstance(source, bytes):
                self.s3.put_object(Bucket=self.bucket, Key=key, Body=source, **self._owner)
            else:
                # upload_file switches to a multipart upload for large zips.
                self.s3.upload_file(str(source), self.bucket, key, ExtraArgs=self._owner)
        except (ClientError, BotoCoreError, S3UploadFailedError) as error:
            raise OrchestratorError(
                f"uploading s3://{self.bucket}/{key} failed: {one_line_reason(error)}"
            ) from error


def owned_by(account: str) -> dict[str, str]:
    """The argument of every S3 call on a bucket that `account` must own."""
    return {"ExpectedBucketOwner": account}


def ensure_artifact_bucket(s3_client: Any, bucket: str, region: str, owner: str) -> bool:
    """Create the artifact bucket unless it exists in account `owner`; True when it was created.

    A new bucket is unversioned (versioning is never turned on: content-hash keys are never
    overwritten, so old versions would only cost storage) and blocks all public access.
    """
    try:
        s3_client.head_bucket(Bucket=bucket, **owned_by(owner))
        return False
    except ClientError as error:
        if not is_not_found(error):
            # 403 here: the name is taken by another account (bucket names are global).
            raise OrchestratorError(
                f"artifact bucket {bucket} cannot be used: {one_line_reason(error)} (it may "
                "belong to another account; bucket names are global)"
            ) from error
    _create_bucket(s3_client, bucket, region, owner)
    s3_client.put_public_access_block(
        Bucket=bucket, PublicAccessBlockConfiguration=BLOCK_ALL_PUBLIC_ACCESS, **owned_by(owner)
    )
    return True


def _create_bucket(s3_client: Any, bucket: str, region: str, owner: str) -> None:
    arguments: dict[str, Any] = {"Bucket": bucket}
    # AWS quirk: us-east-1 is the default location and rejects an explicit LocationConstraint
    # naming itself (InvalidLocationConstraint); every other region requires one.
    if region != US_EAST_1:
        arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3_client.create_bucket(**arguments)
    except ClientError as error:
        # Another run created it between our HEAD and CREATE: that is the bucket we wanted.
        if error_code(error) != _ALREADY_MINE:
            raise OrchestratorError(
                f"cannot create artifact bucket {bucket} in {region}: {one_line_reason(error)}"
            ) from error
    # A new bucket can take a moment to be visible to every S3 endpoint.
    s3_client.get_waiter("bucket_exists").wait(
        Bucket=bucket, WaiterConfig={"Delay": 1, "MaxAttempts": 30}, **owned_by(owner)
    )
