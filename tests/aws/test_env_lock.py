"""The environment lock's S3 record over moto: conditional writes decide every race, and the
policy on top of them lets exactly one of two acquirers in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from orchestrator.aws.env_lock import S3LockStore
from orchestrator.engine.lock import EnvironmentLock, Process
from orchestrator.engine.lock_record import RunIdentity, Scope
from orchestrator.engine.ports import LockConflict, LockStore
from orchestrator.errors import EnvironmentLocked, OrchestratorError

BUCKET = "firefly-artifacts-locks"
ACCOUNT = "123456789012"  # moto's default account, which owns every bucket it makes
REGION = "us-east-1"


def s3_client() -> Any:
    return boto3.client(
        "s3", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        client = s3_client()
        client.create_bucket(Bucket=BUCKET)
        yield client


def test_the_store_implements_the_engines_port(s3: Any) -> None:
    store: LockStore = S3LockStore(s3, BUCKET, "dev", ACCOUNT)

    assert store.location == f"s3://{BUCKET}/firefly/locks/dev.json"


def test_no_bucket_and_no_record_both_read_as_unlocked(s3: Any) -> None:
    assert S3LockStore(s3, BUCKET, "dev", ACCOUNT).read() is None
    assert S3LockStore(s3, "firefly-artifacts-never-made", "dev", ACCOUNT).read() is None


def test_create_replace_delete_each_need_the_version_they_saw(s3: Any) -> None:
    each_write_needs_the_version_it_saw(S3LockStore(s3, BUCKET, "dev", ACCOUNT))


def each_write_needs_the_version_it_saw(store: S3LockStore) -> None:
    """S3's conditional writes as the lock uses them (the sandbox's tests call this too)."""
    store.create("first")
    first = store.read()
    assert first is not None and first.text == "first"
    with pytest.raises(LockConflict):
        store.create("again")  # If-None-Match: * on an existing key
    store.replace("second", first.etag)
    second = store.read()
    assert second is not None and second.text == "second"
    with pytest.raises(LockConflict):
        store.replace("stale", first.etag)  # If-Match on a version that is gone
    with pytest.raises(LockConflict):
        store.delete(first.etag)
    store.delete(second.etag)
    assert store.read() is None
    with pytest.raises(LockConflict):
        store.replace("after", second.etag)  # If-Match on a key that is gone: 404 NoSuchKey


def lock(s3: Any, holder: str) -> EnvironmentLock:
    run = RunIdentity(f"run-of-{holder}", Scope.PROCESS, holder)
    process = Process(f"{holder}:1:0", f"{holder}-host", 1, "firefly deploy --env dev")
    return EnvironmentLock(S3LockStore(s3, BUCKET, "dev", ACCOUNT), "dev", run, process)


def just_before(s3: Any, operation: str, action: Callable[[], None]) -> None:
    """Run `action` once, as another machine, just before this client sends `operation`."""
    pending = [action]

    def race(**_: Any) -> None:
        if pending:
            pending.pop()()

    s3.meta.events.register(f"before-call.s3.{operation}", race)


def bob_loses_a_race_to_alice(s3: Any) -> None:
    """Alice's write lands after bob read the record and before his write: S3 refuses bob's
    with a 412, and bob, reading again, finds alice's lock."""
    alice = lock(s3_client(), "alice")
    bob = lock(s3, "bob")
    just_before(s3, "PutObject", alice.acquire)

    try:
        with pytest.raises(EnvironmentLocked, match="is locked by alice, "):
            bob.acquire()
    finally:
        alice.release()


def test_of_two_acquirers_racing_for_a_free_lock_one_wins(s3: Any) -> None:
    bob_loses_a_race_to_alice(s3)  # both read "no lock"; both send If-None-Match: *


def test_of_two_taking_over_an_expired_lock_one_wins(s3: Any) -> None:
    dead = lock(s3, "carol")
    dead.ttl = timedelta(0)  # expired the moment it is written
    dead.acquire()

    bob_loses_a_race_to_alice(s3)  # both read carol's expired record; both send If-Match


def test_a_refusal_is_one_line_naming_the_record_and_the_permissions(s3: Any) -> None:
    store = S3LockStore(s3, BUCKET, "dev", ACCOUNT)

    with Stubber(s3) as stub:
        stub.add_client_error("get_object", "AccessDenied", "Access Denied", 403)
        with pytest.raises(OrchestratorError) as refused:
            store.read()

    assert refused.value.message == (
        f"cannot read the environment lock s3://{BUCKET}/firefly/locks/dev.json: AccessDenied: "
        "Access Denied (the deploy role needs s3:GetObject, s3:PutObject and s3:DeleteObject "
        "on the artifact bucket)"
    )


def test_lock_times_follow_the_clock_of_s3_not_of_this_machine(s3: Any) -> None:
    ahead = datetime.now(UTC) + timedelta(hours=1)

    def server_date(parsed: dict[str, Any], **_: Any) -> None:
        parsed["ResponseMetadata"]["HTTPHeaders"]["date"] = format_datetime(ahead, usegmt=True)

    s3.meta.events.register("after-call.s3.GetObject", server_date)
    store = S3LockStore(s3, BUCKET, "dev", ACCOUNT)
    store.read()

    assert abs(store.now() - ahead) < timedelta(minutes=1)
