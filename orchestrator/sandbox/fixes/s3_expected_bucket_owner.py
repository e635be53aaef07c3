"""S3 honours the bucket owner condition: a request whose `x-amz-expected-bucket-owner` header
(boto3's `ExpectedBucketOwner`) names another account than the bucket's owner is refused with
403 AccessDenied (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html).

moto ignores the header and serves the request. A bucket that does not exist is left to moto's
own answer (NoSuchBucket), as S3 answers it too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.s3.exceptions import S3AccessDeniedError
from moto.s3.responses import S3Response

_MARK = "_firefly_expected_bucket_owner"
_HEADER = "x-amz-expected-bucket-owner"


def install() -> None:
    # moto turns the S3 errors these two raise into the error response, for every method
    for name in ("_bucket_response", "_key_response"):
        method = getattr(S3Response, name)
        if not getattr(method, _MARK, False):
            setattr(S3Response, name, _owner_checked(method))


def _owner_checked(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def serve(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        expected = request.headers.get(_HEADER)
        if expected is not None:
            bucket = self.backend.buckets.get(self.bucket_name) if self.bucket_name else None
            if bucket is not None and bucket.account_id != expected:
                raise S3AccessDeniedError()
        return method(self, request, *args, **kwargs)

    setattr(serve, _MARK, True)
    return serve
