"""The environment lock's record in S3: one object in the environment's artifact bucket,
changed only by conditional requests, so the lock is atomic across machines.

S3's conditional writes (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html):
PutObject with `If-None-Match: *` writes only when no object has the key, with `If-Match: ETAG`
only when the object's ETag is that one; otherwise 412 Precondition Failed. A conflicting
request during the upload answers 409 ConditionalRequestConflict, after which AWS says to fetch
the ETag again and retry. DeleteObject takes `If-Match: ETAG` the same way (conditional deletes,
https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html). Each of these
answers means another writer won: `LockConflict`, and the policy reads and decides again. Every
call names the bucket's expected owner, as the artifact store's do (`artifacts.owned_by`).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from orchestrator.aws.artifacts import owned_by
from orchestrator.aws.errors import error_code, is_lost_condition, one_line_reason
from orchestrator.engine.ports import LockConflict, StoredLock
from orchestrator.errors import OrchestratorError

_ABSENT = {"NoSuchKey", "NoSuchBucket", "404"}


def lock_key(environment: str) -> str:
    return f"firefly/locks/{environment}.json"


class S3LockStore:
    """Implements `orchestrator.engine.ports.LockStore` on one S3 object."""

    def __init__(self, s3_client: Any, bucket: str, environment: str, owner: str) -> None:
        self.s3 = s3_client
        self.bucket = bucket
        self._owner = owned_by(owner)
        self.key = lock_key(environment)
        self.location = f"s3://{bucket}/{self.key}"
        self._skew = timedelta(0)

    def now(self) -> datetime:
        """S3's clock, as its latest answer's Date header showed it: lock times written on one
        machine are compared on another, whose own clock may be off."""
        return datetime.now(UTC) + self._skew

    def read(self) -> StoredLock | None:
        try:
            response = self.s3.get_object(Bucket=self.bucket, Key=self.key, **self._owner)
            text = response["Body"].read().decode("utf-8")
        except ClientError as error:
            self._observe(error.response)
            if error_code(error) in _ABSENT:  # no bucket yet: nothing was ever locked
                return None
            raise self._failure("read", error) from None
        except (BotoCoreError, UnicodeDecodeError) as error:
            raise self._failure("read", error) from None
        self._observe(response)
        return StoredLock(text, str(response["ETag"]))

    def create(self, text: str) -> None:
        self._write("take", text, IfNoneMatch="*")

    def replace(self, text: str, etag: str) -> None:
        self._write("renew", text, IfMatch=etag)

    def delete(self, etag: str) -> None:
        self._call(
            "release",
            self.s3.delete_object,
            Bucket=self.bucket,
            Key=self.key,
            IfMatch=etag,
            **self._owner,
        )

    def _write(self, verb: str, text: str, **condition: str) -> None:
        self._call(
            verb,
            self.s3.put_object,
            Bucket=self.bucket,
            Key=self.key,
            Body=text.encode("utf-8"),
            ContentType="application/json",
            **condition,
            **self._owner,
        )

    def _call(self, verb: str, action: Any, **arguments: Any) -> None:
        try:
            self._observe(action(**arguments))
        except ClientError as error:
            self._observe(error.response)
            if is_lost_condition(error):
                raise LockConflict(error_code(error)) from None
            raise self._failure(verb, error) from None
        except BotoCoreError as error:
            raise self._failure(verb, error) from None

    def _observe(self, response: Mapping[str, Any]) -> None:
        date = response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
        if date:
            with suppress(TypeError, ValueError):  # a malformed Date keeps the last skew
                self._skew = parsedate_to_datetime(date) - datetime.now(UTC)

    def _failure(self, verb: str, error: Exception) -> OrchestratorError:
        return OrchestratorError(
            f"cannot {verb} the environment lock {self.location}: {one_line_reason(error)} "
            "(the deploy role needs s3:GetObject, s3:PutObject and s3:DeleteObject on the "
            "artifact bucket)"
        )
