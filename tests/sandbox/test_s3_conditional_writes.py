"""S3 conditional writes over the sandbox's HTTP server: the environment lock relies on them.

moto 5.2.5 honours `If-None-Match: *` and `If-Match` on PutObject and `If-Match` on DeleteObject,
answering 412 PreconditionFailed (404 NoSuchKey for an `If-Match` on a key that is gone), as S3
does; this test keeps it so through moto upgrades."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from orchestrator.aws.env_lock import S3LockStore
from orchestrator.aws.session import SANDBOX_ACCOUNT
from tests.aws.test_env_lock import each_write_needs_the_version_it_saw


def test_the_sandbox_honours_conditional_writes(aws: Callable[[str], Any]) -> None:
    s3 = aws("s3")
    s3.create_bucket(Bucket="firefly-conditional-writes")

    each_write_needs_the_version_it_saw(
        S3LockStore(s3, "firefly-conditional-writes", "dev", SANDBOX_ACCOUNT)
    )
