"""Requests: every legal transition and its side effect, and every request refused before
anything changes (illegal transitions, unknown firmware, bad input, no claims)."""

import base64
import time
from collections.abc import Callable
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.lambdas.firmware_status_patch.helpers import (
    BINARY,
    LEGAL,
    NINETY_DAYS,
    PRIVATE,
    PUBLIC,
    STATES,
    SUB,
    ZIP,
    Event,
    body_of,
    call,
    get_firmware,
    keys,
    put_firmware,
    request,
)
from tests.lambdas.support import JSON_VALUES, PROPERTY, log_lines

# --- legal transitions and their side effects ---------------------------------------------


def test_sample_event_moves_ready_to_test_to_testing(
    app: ModuleType, dynamodb: Any, s3: Any, event: Event, capsys: pytest.CaptureFixture[str]
) -> None:
    put_firmware(dynamodb, "READY_TO_TEST")
    before = datetime.now(UTC).replace(microsecond=0)  # updated_at is to the second

    status, body = call(app, event("firmware_status_patch"))

    after = datetime.now(UTC)
    assert status == 200
    assert body["zip_name"] == ZIP
    assert body["status"] == "TESTING"
    assert body["previous_status"] == "READY_TO_TEST"
    assert body["updated_by"] == SUB
    item = get_firmware(dynamodb)
    assert item is not None
    assert item["status"] == {"S": "TESTING"}
    assert item["updated_by"] == {"S": SUB}
    updated_at = datetime.fromisoformat(item["updated_at"]["S"])
    assert before <= updated_at <= after  # stamped during the call, however long it took
    assert "ttl" not in item
    assert keys(s3, PUBLIC) == []
    changed = [line for line in log_lines(capsys) if line["message"] == "Firmware status changed"]
    assert changed[0]["previous_status"] == "READY_TO_TEST"
    assert changed[0]["status"] == "TESTING"
    assert changed[0]["environment"] == "dev"


def test_released_copies_the_binary_to_the_public_bucket(
    app: ModuleType, dynamodb: Any, s3: Any, event: Event
) -> None:
    put_firmware(dynamodb, "TESTING")

    status, body = call(app, request(event, "RELEASED"))

    assert status == 200
    assert body["status"] == "RELEASED"
    assert keys(s3, PUBLIC) == [ZIP]
    assert body_of(s3, PUBLIC, ZIP) == BINARY
    assert body_of(s3, PRIVATE, ZIP) == BINARY  # a copy, not a move
    item = get_firmware(dynamodb)
    assert item is not None
    assert item["status"] == {"S": "RELEASED"}
    assert "ttl" not in item


def test_revoked_moves_the_public_object_under_revoked_and_sets_the_ttl(
    app: ModuleType, dynamodb: Any, s3: Any, event: Event
) -> None:
    put_firmware(dynamodb, "RELEASED")
    s3.put_object(Bucket=PUBLIC, Key=ZIP, Body=BINARY)
    before = int(time.time())

    status, body = call(app, request(event, "REVOKED"))

    after = int(time.time())
    assert status == 200
    assert body["status"] == "REVOKED"
    assert keys(s3, PUBLIC) == [f"revoked/{ZIP}"]
    assert body_of(s3, PUBLIC, f"revoked/{ZIP}") == BINARY
    assert keys(s3, PRIVATE) == [ZIP]
    item = get_firmware(dynamodb)
    assert item is not None
    assert item["status"] == {"S": "REVOKED"}
    assert before + NINETY_DAYS <= int(item["ttl"]["N"]) <= after + NINETY_DAYS
    assert body["ttl"] == int(item["ttl"]["N"])


def test_revoke_still_succeeds_when_the_public_object_is_already_gone(
    app: ModuleType, dynamodb: Any, s3: Any, event: Event
) -> None:
    # A previous attempt moved the object and then failed to commit: the retry must converge.
    put_firmware(dynamodb, "RELEASED")
    s3.put_object(Bucket=PUBLIC, Key=f"revoked/{ZIP}", Body=BINARY)

    status, _ = call(app, request(event, "REVOKED"))

    assert status == 200
    assert keys(s3, PUBLIC) == [f"revoked/{ZIP}"]
    item = get_firmware(dynamodb)
    assert item is not None and item["status"] == {"S": "REVOKED"} and "ttl" in item


# --- illegal transitions ------------------------------------------------------------------


def test_illegal_transitions_are_409_and_change_nothing(
    app: ModuleType, dynamodb: Any, s3: Any, event: Event
) -> None:
    pairs = [(c, r) for c in STATES for r in STATES if (c, r) not in LEGAL]
    pairs.append(("ARCHIVED", "TESTING"))  # a stored state outside the machine cannot move
    assert len(pairs) == 14
    for current, requested in pairs:
        put_firmware(dynamodb, current, updated_by="someone-else")
        before = get_firmware(dynamodb)

        status, body = call(app, request(event, requested))

        assert status == 409, (current, requested)
        assert body == {
            "error": "Illegal status transition",
            "current_status": current,
            "requested_status": requested,
        }
        assert get_firmware(dynamodb) == before
        assert keys(s3, PUBLIC) == []


def test_pure_rules_hold_for_any_input(app: ModuleType) -> None:
    # Hypothesis runs inside one loaded module, on pure functions: no AWS call per example.
    @settings(PROPERTY, max_examples=50)
    @given(current=st.one_of(st.sampled_from(STATES), st.text(max_size=15), st.none()))
    def transition_is_exactly_one_step_forward(current: Any) -> None:
        for requested in STATES:
            expected = current in STATES and STATES.index(requested) == STATES.index(current) + 1
            assert app.is_allowed_transition(current, requested) == expected

    @settings(PROPERTY, max_examples=60)
    @given(
        st.dictionaries(
            st.sampled_from(["status", "Status", "state", ""]) | st.text(max_size=5),
            st.one_of(JSON_VALUES, st.sampled_from(STATES)),
            max_size=3,
        )
    )
    def any_body_yields_a_known_state_or_400(body: dict[str, Any]) -> None:
        try:
            state = app.requested_status(body)
        except app.HttpError as error:
            assert error.status_code == 400
        else:
            assert state in STATES and body["status"] == state

    transition_is_exactly_one_step_forward()
    any_body_yields_a_known_state_or_400()


# --- not found, bad requests, unauthenticated ---------------------------------------------


def test_unknown_firmware_is_404(app: ModuleType, event: Event) -> None:
    status, body = call(app, request(event, "TESTING", zip_name="missing.zip"))

    assert (status, body) == (404, {"error": "Firmware not found", "zip_name": "missing.zip"})


BAD_ZIP_NAMES = [
    "../x", "..", "../../etc/passwd", "revoked/fw.zip", "a/b", "%2e%2e%2fx", "..%2F" + ZIP,
    ".env", " fw.zip", "fw.zip\n", "fw\x00.zip", "ü.zip", "x" * 256, "", 7, None, ["fw.zip"],
]  # fmt: skip


def test_bad_zip_names_are_400_and_touch_nothing(
    app: ModuleType, dynamodb: Any, s3: Any, event: Event
) -> None:
    put_firmware(dynamodb, "TESTING")
    put_firmware(dynamodb, "TESTING", zip_name="x")
    for zip_name in BAD_ZIP_NAMES:
        status, body = call(app, request(event, "RELEASED", zip_name=zip_name))

        assert status == 400, zip_name
        assert "zip_name" in body["error"]
    no_path_parameters = request(event, "RELEASED")
    del no_path_parameters["pathParameters"]
    assert call(app, no_path_parameters)[0] == 400
    assert keys(s3, PUBLIC) == []
    assert get_firmware(dynamodb, "x") == {"zip_name": {"S": "x"}, "status": {"S": "TESTING"}}


MALFORMED_BODIES = [
    None,
    "",
    "not json",
    "{",
    "[]",
    '"TESTING"',
    "null",
    "{}",
    '{"state": "TESTING"}',
    '{"status": null}',
    '{"status": 1}',
    '{"status": true}',
    '{"status": ["TESTING"]}',
    '{"status": {"S": "TESTING"}}',
    '{"status": "testing"}',
    '{"status": " TESTING"}',
    '{"status": "DELETED"}',
    '{"status": ""}',
    '{"status": "READY_TO_TEST", "status": "TESTING"}',
    '{"status": NaN}',
    '{"status": "' + "T" * 100_000 + '"}',
    "[" * 50_000,
]


def test_malformed_bodies_are_400_and_change_nothing(
    app: ModuleType, dynamodb: Any, event: Event
) -> None:
    put_firmware(dynamodb, "READY_TO_TEST")
    for body in MALFORMED_BODIES:
        request_event = request(event, "TESTING")
        if body is None:
            del request_event["body"]
        else:
            request_event["body"] = body

        status, response_body = call(app, request_event)

        assert status == 400, body[:40] if body else body
        assert isinstance(response_body["error"], str)
    item = get_firmware(dynamodb)
    assert item is not None and item["status"] == {"S": "READY_TO_TEST"}

    status, response_body = call(app, request(event, "DELETED"))
    assert response_body["allowed_statuses"] == STATES

    encoded = request(event, body=base64.b64encode(b'{"status": "TESTING"}').decode())
    encoded["isBase64Encoded"] = True
    assert call(app, encoded)[0] == 200


UNAUTHENTICATED: list[Callable[[dict[str, Any]], Any]] = [
    lambda e: e["requestContext"].pop("authorizer"),
    lambda e: e["requestContext"]["authorizer"].pop("jwt"),
    lambda e: e["requestContext"]["authorizer"]["jwt"].update(claims={}),
    lambda e: e["requestContext"]["authorizer"]["jwt"].update(claims=None),
    lambda e: e["requestContext"]["authorizer"]["jwt"]["claims"].pop("sub"),
    lambda e: e["requestContext"]["authorizer"]["jwt"]["claims"].update(sub=""),
    lambda e: e.pop("requestContext"),
]


def test_missing_claims_are_401_before_anything_else(
    app: ModuleType, dynamodb: Any, event: Event
) -> None:
    put_firmware(dynamodb, "READY_TO_TEST")
    for index, mutate in enumerate(UNAUTHENTICATED):
        request_event = request(event, "TESTING")
        mutate(request_event)
        assert call(app, request_event) == (401, {"error": "Unauthorized"}), index
        request_event["body"] = "not json"  # 401 wins over 400: nothing is read for a stranger
        assert call(app, request_event)[0] == 401, index
    for hostile in (None, "x", [], 0):
        assert app.lambda_handler(hostile, None)["statusCode"] == 401
    item = get_firmware(dynamodb)
    assert item is not None and item["status"] == {"S": "READY_TO_TEST"}
