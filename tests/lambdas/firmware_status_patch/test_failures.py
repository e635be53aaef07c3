"""Configuration, failures part way and concurrent requests: the item never claims a side
effect that did not happen, and exactly one of two racing requests wins."""

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from tests.lambdas.firmware_status_patch.helpers import (
    BINARY,
    ENV,
    FUNCTION,
    PRIVATE,
    PUBLIC,
    TABLE,
    ZIP,
    Event,
    Load,
    call,
    get_firmware,
    keys,
    provision,
    put_firmware,
    request,
)
from tests.lambdas.support import Hook, log_lines

# --- configuration --------------------------------------------------------------------------


def test_a_missing_required_variable_fails_the_cold_start_naming_it(
    load_function: Load, environment: pytest.MonkeyPatch
) -> None:
    for variable in (
        "DYNAMODB_FIRMWARE_TABLE_NAME",
        "FIRMWARE_PRIVATE_BUCKET_NAME",
        "ENVIRONMENT_NAME",
    ):
        environment.delenv(variable)
        with pytest.raises(RuntimeError, match=f"^{variable} environment variable is required$"):
            load_function(FUNCTION)
        environment.setenv(variable, ENV[variable])


@pytest.mark.parametrize("unset", [True, False])
def test_without_a_public_bucket_release_is_a_clear_500_and_the_item_is_unchanged(
    load_function: Load,
    environment: pytest.MonkeyPatch,
    event: Event,
    capsys: pytest.CaptureFixture[str],
    unset: bool,
) -> None:
    if unset:
        environment.delenv("FIRMWARE_PUBLIC_BUCKET_NAME")
    else:
        environment.setenv("FIRMWARE_PUBLIC_BUCKET_NAME", "")
    app = load_function(FUNCTION)  # the seed: the function still deploys and starts
    provision(app)
    put_firmware(app.dynamodb, "TESTING")
    before = get_firmware(app.dynamodb)

    status, body = call(app, request(event, "RELEASED"))

    assert (status, body) == (500, {"error": "Firmware public bucket is not configured"})
    assert get_firmware(app.dynamodb) == before
    assert keys(app.s3, PUBLIC) == []
    errors = [line for line in log_lines(capsys) if line["level"] == "ERROR"]
    assert "FIRMWARE_PUBLIC_BUCKET_NAME" in errors[0]["message"]
    assert errors[0]["zip_name"] == ZIP


def test_without_a_public_bucket_the_other_transitions_behave(
    load_function: Load, environment: pytest.MonkeyPatch, event: Event
) -> None:
    environment.delenv("FIRMWARE_PUBLIC_BUCKET_NAME")
    app = load_function(FUNCTION)
    provision(app)
    put_firmware(app.dynamodb, "READY_TO_TEST")
    assert call(app, request(event, "TESTING"))[0] == 200

    put_firmware(app.dynamodb, "RELEASED")
    status, body = call(app, request(event, "REVOKED"))
    assert (status, body["error"]) == (500, "Firmware public bucket is not configured")
    item = get_firmware(app.dynamodb)
    assert item is not None and item["status"] == {"S": "RELEASED"} and "ttl" not in item


# --- failures part way: the item never claims a side effect that did not happen -----------


def test_release_of_a_missing_binary_is_409_and_publishes_nothing(
    app: ModuleType, dynamodb: Any, s3: Any, event: Event
) -> None:
    s3.delete_object(Bucket=PRIVATE, Key=ZIP)
    put_firmware(dynamodb, "TESTING")

    status, body = call(app, request(event, "RELEASED"))

    assert status == 409
    assert body["error"] == "Firmware binary not found in the private bucket"
    item = get_firmware(dynamodb)
    assert item is not None and item["status"] == {"S": "TESTING"}
    assert keys(s3, PUBLIC) == []


def test_an_s3_failure_is_a_generic_500_and_the_item_is_unchanged(
    app: ModuleType, dynamodb: Any, s3: Any, event: Event
) -> None:
    s3.delete_object(Bucket=PRIVATE, Key=ZIP)
    s3.delete_bucket(Bucket=PRIVATE)  # misconfigured: the private bucket does not exist
    put_firmware(dynamodb, "TESTING")

    status, body = call(app, request(event, "RELEASED"))

    assert (status, body) == (500, {"error": "Internal server error"})
    item = get_firmware(dynamodb)
    assert item is not None and item["status"] == {"S": "TESTING"}


def test_when_the_release_commit_fails_the_public_copy_is_withdrawn(
    app: ModuleType, dynamodb: Any, s3: Any, event: Event, hook: Hook
) -> None:
    put_firmware(dynamodb, "TESTING")

    def break_table(**_: Any) -> None:
        dynamodb.delete_table(TableName=TABLE)

    hook(s3, "after-call.s3.CopyObject", break_table)

    status, _ = call(app, request(event, "RELEASED"))

    assert status == 500
    assert keys(s3, PUBLIC) == []


def test_when_the_revoke_commit_fails_the_binary_stays_withdrawn_and_a_retry_converges(
    app: ModuleType, dynamodb: Any, s3: Any, event: Event, hook: Hook
) -> None:
    put_firmware(dynamodb, "RELEASED")
    s3.put_object(Bucket=PUBLIC, Key=ZIP, Body=BINARY)

    def throttle(**_: Any) -> None:
        raise dynamodb.exceptions.ProvisionedThroughputExceededException(
            {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}},
            "UpdateItem",
        )

    hook(dynamodb, "before-call.dynamodb.UpdateItem", throttle)

    status, _ = call(app, request(event, "REVOKED"))

    assert status == 500
    assert keys(s3, PUBLIC) == [f"revoked/{ZIP}"]
    item = get_firmware(dynamodb)
    assert item is not None and item["status"] == {"S": "RELEASED"}

    dynamodb.meta.events.unregister("before-call.dynamodb.UpdateItem", throttle)
    assert call(app, request(event, "REVOKED"))[0] == 200
    assert keys(s3, PUBLIC) == [f"revoked/{ZIP}"]


# --- concurrency: the conditional update lets exactly one request win ---------------------


def _concurrently(dynamodb: Any, status: str) -> Callable[..., None]:
    """A botocore hook standing in for a concurrent request that commits between our read
    and our conditional write."""

    def other_request_commits(**_: Any) -> None:
        put_firmware(dynamodb, status, updated_by="other-user")

    return other_request_commits


def test_a_lost_release_race_is_409_and_never_overwrites(
    app: ModuleType, dynamodb: Any, s3: Any, event: Event, hook: Hook
) -> None:
    put_firmware(dynamodb, "TESTING")
    hook(s3, "after-call.s3.CopyObject", _concurrently(dynamodb, "RELEASED"))

    status, body = call(app, request(event, "RELEASED"))

    assert status == 409
    assert body == {
        "error": "Firmware status changed by a concurrent request",
        "current_status": "RELEASED",
        "requested_status": "RELEASED",
    }
    item = get_firmware(dynamodb)
    assert item is not None and item["updated_by"] == {"S": "other-user"}
    assert keys(s3, PUBLIC) == [ZIP]  # the winner's release stands


def test_a_release_that_loses_to_a_revoke_takes_its_copy_down(
    app: ModuleType, dynamodb: Any, s3: Any, event: Event, hook: Hook
) -> None:
    put_firmware(dynamodb, "TESTING")
    hook(s3, "after-call.s3.CopyObject", _concurrently(dynamodb, "REVOKED"))

    status, body = call(app, request(event, "RELEASED"))

    assert (status, body["current_status"]) == (409, "REVOKED")
    assert keys(s3, PUBLIC) == []
    item = get_firmware(dynamodb)
    assert item is not None and item["status"] == {"S": "REVOKED"}


def test_a_lost_race_on_a_plain_transition_is_409(
    app: ModuleType, dynamodb: Any, event: Event, hook: Hook
) -> None:
    put_firmware(dynamodb, "READY_TO_TEST")
    hook(dynamodb, "after-call.dynamodb.GetItem", _concurrently(dynamodb, "TESTING"))

    status, body = call(app, request(event, "TESTING"))

    assert (status, body["current_status"]) == (409, "TESTING")
    item = get_firmware(dynamodb)
    assert item is not None and item["updated_by"] == {"S": "other-user"}


def test_two_revokes_one_wins_and_the_object_is_under_revoked(
    app: ModuleType, dynamodb: Any, s3: Any, event: Event, hook: Hook
) -> None:
    put_firmware(dynamodb, "RELEASED")
    s3.put_object(Bucket=PUBLIC, Key=ZIP, Body=BINARY)
    hook(s3, "after-call.s3.DeleteObject", _concurrently(dynamodb, "REVOKED"))

    status, body = call(app, request(event, "REVOKED"))

    assert (status, body["current_status"]) == (409, "REVOKED")
    assert keys(s3, PUBLIC) == [f"revoked/{ZIP}"]
    item = get_firmware(dynamodb)
    assert item is not None and item["updated_by"] == {"S": "other-user"}


def test_firmware_deleted_mid_request_is_404_and_unpublished(
    app: ModuleType, dynamodb: Any, s3: Any, event: Event, hook: Hook
) -> None:
    put_firmware(dynamodb, "TESTING")

    def delete_item(**_: Any) -> None:
        dynamodb.delete_item(TableName=TABLE, Key={"zip_name": {"S": ZIP}})

    hook(s3, "after-call.s3.CopyObject", delete_item)

    status, _ = call(app, request(event, "RELEASED"))

    assert status == 404
    assert keys(s3, PUBLIC) == []


def test_a_straggling_release_copy_does_not_survive_a_revoke(
    app: ModuleType, dynamodb: Any, s3: Any, event: Event, hook: Hook
) -> None:
    # A release that read TESTING earlier copies the binary back between our move and commit.
    put_firmware(dynamodb, "RELEASED")
    s3.put_object(Bucket=PUBLIC, Key=ZIP, Body=BINARY)

    def straggler_copies(**_: Any) -> None:
        s3.put_object(Bucket=PUBLIC, Key=ZIP, Body=BINARY)

    hook(dynamodb, "before-call.dynamodb.UpdateItem", straggler_copies)

    assert call(app, request(event, "REVOKED"))[0] == 200
    assert keys(s3, PUBLIC) == [f"revoked/{ZIP}"]
