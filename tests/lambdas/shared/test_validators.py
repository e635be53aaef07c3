"""The QR-upload layer modules that need no AWS: constants and validators (seed 004)."""

import re
import uuid
from collections.abc import Iterator
from decimal import Decimal
from types import ModuleType
from urllib.parse import urlsplit

import pytest
from botocore.utils import is_valid_endpoint_url, is_valid_ipv6_endpoint_url
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.lambdas.support import PROPERTY, import_pure

CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SID = "3f2b7c1e-8a4d-4e6f-9b21-5c7d8e9fa0b1"
NOW = 1_763_799_323


@pytest.fixture(scope="module")
def v() -> Iterator[ModuleType]:
    yield import_pure("shared.validators")


@pytest.fixture(scope="module")
def c() -> Iterator[ModuleType]:
    yield import_pure("shared.constants")


# --- constants: the values the seed fixes -------------------------------------------------


def test_constants_are_the_seeds(c: ModuleType) -> None:
    assert c.SESSION_STATUS == {
        "AWAITING_SCAN": "AWAITING_SCAN",
        "UPLOAD_REQUESTED": "UPLOAD_REQUESTED",
        "COMPLETED": "COMPLETED",
    }
    assert c.SESSION_EXPIRY_MINUTES == 30
    assert c.PRESIGNED_URL_EXPIRY_SECONDS == 300
    assert c.WEBSOCKET_ACTIONS == {"UPLOAD_COMPLETED": "UPLOAD_COMPLETED", "ERROR": "ERROR"}
    assert c.UPLOAD_KEY_PREFIX == "session-uploads/"
    assert c.UPLOAD_CONTENT_TYPE == "image/*"
    assert (c.SESSIONS_TABLE_NAME_ENV, c.UPLOAD_BUCKET_NAME_ENV, c.WS_API_ENDPOINT_ENV) == (
        "SESSIONS_TABLE_NAME",
        "UPLOAD_BUCKET_NAME",
        "WS_API_ENDPOINT",
    )


# --- validate_session_id -------------------------------------------------------------------


def test_missing_session_id_is_required(v: ModuleType) -> None:
    for missing in [None, "", 0, [], {}]:
        assert v.validate_session_id(missing) == (False, "sessionId is required"), missing


def test_canonical_uuid_is_valid(v: ModuleType) -> None:
    assert v.validate_session_id(SID) == (True, None)
    assert v.validate_session_id(str(uuid.uuid4())) == (True, None)


def test_anything_but_a_canonical_uuid_is_invalid(v: ModuleType) -> None:
    for bad in [
        "abc",
        SID.upper(),
        "{" + SID + "}",
        "urn:uuid:" + SID,
        SID.replace("-", ""),
        SID + "\n",
        " " + SID,
        SID + "0",
        "+" + SID[1:],
        "3f2b7c1e_8a4d-4e6f-9b21-5c7d8e9fa0b1",
        "../../etc/passwd",
        "session-uploads/" + SID,
        SID[:-1] + "g",
        "x" * 100_000,
        123,
        12.5,
        True,
        ["a"],
        {"sessionId": SID},
        b"3f2b7c1e-8a4d-4e6f-9b21-5c7d8e9fa0b1",
    ]:
        assert v.validate_session_id(bad) == (False, "Invalid sessionId format"), repr(bad)[:60]


@settings(PROPERTY, max_examples=100)
@given(
    st.one_of(
        st.text(),
        st.none(),
        st.integers(),
        st.floats(),
        st.booleans(),
        st.binary(),
        st.lists(st.text(), max_size=3),
        st.dictionaries(st.text(), st.text(), max_size=3),
    )
)
def test_validate_session_id_is_total_and_accepts_only_canonical_uuids(
    v: ModuleType, value: object
) -> None:
    valid, error = v.validate_session_id(value)
    assert valid == (isinstance(value, str) and CANONICAL.fullmatch(value) is not None)
    assert (error is None) == valid


@settings(PROPERTY, max_examples=100)
@given(st.uuids())
def test_every_uuid_in_canonical_form_is_valid(v: ModuleType, value: uuid.UUID) -> None:
    assert v.validate_session_id(str(value)) == (True, None)


# --- validate_session ----------------------------------------------------------------------


def test_no_session_is_not_found(v: ModuleType) -> None:
    assert v.validate_session(None, now=NOW) == (False, "Session not found")
    assert v.validate_session({}, now=NOW) == (False, "Session not found")


def test_expiry_boundary(v: ModuleType) -> None:
    session = {"sessionId": SID, "expiresAt": Decimal(NOW)}
    assert v.validate_session(session, now=NOW - 1) == (True, None)
    assert v.validate_session(session, now=NOW) == (True, None)
    assert v.validate_session(session, now=NOW + 1) == (False, "Session expired")


def test_validate_session_reads_the_clock_when_not_given_one(v: ModuleType) -> None:
    assert v.validate_session({"expiresAt": 2**40}) == (True, None)
    assert v.validate_session({"expiresAt": 1}) == (False, "Session expired")


def test_unreadable_expiry_fails_closed(v: ModuleType) -> None:
    for expires_at in [
        None,
        "soon",
        "9999999999",
        True,
        Decimal("NaN"),
        Decimal("Infinity"),
        float("nan"),
        [1],
    ]:
        assert v.validate_session({"sessionId": SID, "expiresAt": expires_at}, now=NOW) == (
            False,
            "Session expired",
        )


def test_session_without_expiry_is_expired(v: ModuleType) -> None:
    assert v.validate_session({"sessionId": SID}, now=NOW) == (False, "Session expired")


@settings(PROPERTY, max_examples=100)
@given(
    expires_at=st.one_of(
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.text(),
        st.none(),
        st.booleans(),
    ),
    now=st.integers(min_value=0, max_value=2**40),
)
def test_validate_session_is_total_and_valid_only_before_expiry(
    v: ModuleType, expires_at: object, now: int
) -> None:
    valid, error = v.validate_session({"sessionId": SID, "expiresAt": expires_at}, now=now)
    if valid:
        assert error is None
        assert not isinstance(expires_at, bool)
        assert isinstance(expires_at, int | float | Decimal)
        assert now <= expires_at
    else:
        assert error == "Session expired"


def test_is_session_completed(v: ModuleType) -> None:
    assert v.is_session_completed({"status": "COMPLETED"})
    assert not v.is_session_completed({"status": "UPLOAD_REQUESTED"})
    assert not v.is_session_completed({"status": "AWAITING_SCAN"})
    assert not v.is_session_completed({})


# --- upload keys ---------------------------------------------------------------------------


def test_build_upload_key_has_the_seeds_format(v: ModuleType) -> None:
    assert v.build_upload_key(SID, NOW) == f"session-uploads/{SID}/image-{NOW}"


def test_build_upload_key_refuses_what_it_could_not_parse_back(v: ModuleType) -> None:
    for session_id, timestamp in [
        ("../x", NOW),
        (SID.upper(), NOW),
        (SID, -1),
        (SID, 10**20),
        (SID, True),
        (SID, 1.5),
    ]:
        with pytest.raises(ValueError):
            v.build_upload_key(session_id, timestamp)


@settings(PROPERTY, max_examples=100)
@given(st.uuids(), st.integers(min_value=0, max_value=10**20 - 1))
def test_every_built_key_parses_back_to_its_session(
    v: ModuleType, session: uuid.UUID, timestamp: int
) -> None:
    key = v.build_upload_key(str(session), timestamp)
    assert v.extract_session_id_from_key(key) == str(session)


def test_malformed_or_hostile_keys_name_no_session(v: ModuleType) -> None:
    for key in [
        f"session-uploads/{SID}/image-",
        f"session-uploads/{SID}/image-abc",
        f"session-uploads/{SID}/image-1/extra",
        f"session-uploads/{SID}/image-1.png",
        f"session-uploads/{SID}/image-1\n",
        f"session-uploads/{SID}/../{SID}/image-1",
        f"session-uploads/../session-uploads/{SID}/image-1",
        f"session-uploads/{SID}/./image-1",
        f"session-uploads//{SID}/image-1",
        f"/session-uploads/{SID}/image-1",
        f"other/{SID}/image-1",
        f"Session-Uploads/{SID}/image-1",
        f"session-uploads/{SID.upper()}/image-1",
        f"session-uploads/{SID}x/image-1",
        "session-uploads/not-a-uuid/image-1",
        f"session-uploads/{SID}/image-" + "1" * 21,
        f"session-uploads/{SID}/image-0123",
        "session-uploads/%2E%2E/image-1",
        f"session-uploads/{SID}/image-١٢٣",
        "",
        None,
        123,
        ["session-uploads/", SID],
    ]:
        assert v.extract_session_id_from_key(key) is None, repr(key)[:80]


@settings(PROPERTY, max_examples=100)
@given(
    st.uuids(),
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=60),
    st.sampled_from(["insert", "delete", "replace"]),
    st.characters(),
)
def test_a_mutated_key_parses_only_if_it_is_still_exactly_a_built_key(
    v: ModuleType, session: uuid.UUID, timestamp: int, position: int, change: str, char: str
) -> None:
    key = v.build_upload_key(str(session), timestamp)
    at = min(position, len(key))
    mutated = {
        "insert": key[:at] + char + key[at:],
        "delete": key[:at] + key[at + 1 :],
        "replace": key[:at] + char + key[at + 1 :],
    }[change]
    session_id = v.extract_session_id_from_key(mutated)
    if session_id is not None:
        assert mutated == v.build_upload_key(session_id, int(mutated.rsplit("image-", 1)[1]))


@settings(PROPERTY, max_examples=100)
@given(st.uuids(), st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_extra_path_segments_are_never_accepted(
    v: ModuleType, session: uuid.UUID, before: str, after: str
) -> None:
    key = f"session-uploads/{session}/image-1"
    assert v.extract_session_id_from_key(f"{before}/{key}") is None
    assert v.extract_session_id_from_key(f"{key}/{after}") is None


# --- request parsing ------------------------------------------------------


def test_get_query_parameter(v: ModuleType) -> None:
    for event, expected in [
        ({"queryStringParameters": {"sessionId": SID}}, SID),
        ({"queryStringParameters": None}, None),
        ({}, None),
        ({"queryStringParameters": "sessionId=" + SID}, None),
        ({"queryStringParameters": [SID]}, None),
        (None, None),
        ("event", None),
    ]:
        assert v.get_query_parameter(event, "sessionId") == expected, event


# --- WS_API_ENDPOINT -------------------------------------------------------------------------


def test_ws_endpoint_forms(v: ModuleType) -> None:
    for value, url, region in [
        (
            "k7m2p9q4r1.execute-api.us-east-1.amazonaws.com/dev",
            "https://k7m2p9q4r1.execute-api.us-east-1.amazonaws.com/dev",
            "us-east-1",
        ),
        (
            " https://k7m2p9q4r1.execute-api.eu-west-1.amazonaws.com/prod/ ",
            "https://k7m2p9q4r1.execute-api.eu-west-1.amazonaws.com/prod",
            "eu-west-1",
        ),
        (
            "wss://k7m2p9q4r1.execute-api.ap-south-1.amazonaws.com/dev",
            "https://k7m2p9q4r1.execute-api.ap-south-1.amazonaws.com/dev",
            "ap-south-1",
        ),
        ("HTTPS://ws.example.com/dev", "https://ws.example.com/dev", None),
        ("http://127.0.0.1:4566/dev", "http://127.0.0.1:4566/dev", None),
        # what the sandbox's websocket-api stack hands out (its ApiEndpoint plus the stage)
        (
            "ws://127.0.0.1:4566/_api/k7m2p9q4r1/local",
            "http://127.0.0.1:4566/_api/k7m2p9q4r1/local",
            None,
        ),
        ("http://localhost:4566", "http://localhost:4566", None),
    ]:
        assert v.management_endpoint_url(value) == url
        assert v.endpoint_region(url) == region


def test_bad_ws_endpoint_is_a_configuration_error_naming_the_variable(v: ModuleType) -> None:
    for value in [
        "",
        "   ",
        "ftp://host/dev",
        "https://",
        "://host/dev",
        "https://exa mple.com/dev",
        "https://host/dev?stage=1",
        "https://host/dev#x",
        "https://[bad/dev",
        "https://host:port/dev",
        "javascript:alert(1)",
        "https://host\n.example.com",
    ]:
        with pytest.raises(v.ConfigurationError, match="WS_API_ENDPOINT"):
            v.management_endpoint_url(value)


@settings(PROPERTY, max_examples=100)
@given(
    st.one_of(
        st.text(max_size=60),
        st.builds(
            "{}://{}".format,
            st.sampled_from(["http", "https", "ws", "wss", "HTTPS", "ftp", ""]),
            st.text(max_size=40),
        ),
    )
)
def test_an_accepted_ws_endpoint_is_a_url_botocore_accepts(v: ModuleType, value: str) -> None:
    try:
        url = v.management_endpoint_url(value)
    except v.ConfigurationError:
        return
    parts = urlsplit(url)
    assert parts.scheme in {"http", "https"}
    assert parts.port is None or 0 <= parts.port <= 65535
    assert not parts.query
    assert not parts.fragment
    assert is_valid_endpoint_url(url) or is_valid_ipv6_endpoint_url(url)
    assert v.management_endpoint_url(url) == url
