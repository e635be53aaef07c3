"""shared.identifiers: zip names, registration keys and device ids a client may send."""

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.lambdas.support import PROPERTY, import_pure

identifiers = import_pure("shared.identifiers")

ANYTHING = st.one_of(
    st.text(max_size=300),
    # Near misses: the validators' own alphabets plus separators and traversal characters.
    st.from_regex(r"[A-Za-z0-9._:/\\ -]{1,40}", fullmatch=True),
    st.none(),
    st.integers(),
    st.lists(st.text(max_size=3), max_size=2),
)

VALID_ZIP_NAMES = ["fw.zip", "firefly-fw-1.4.2.zip", "A", "a_b-c.d", "9" * 255, "fw..zip"]
INVALID_ZIP_NAMES: list[Any] = [
    "",
    ".",
    "..",
    "../x",
    "..%2Fx",
    "%2e%2e%2fx",
    "a/b",
    "revoked/fw.zip",
    "/etc/passwd",
    "a\\b",
    ".hidden",
    "-rf",
    " fw.zip",
    "fw.zip ",
    "fw.zip\n",
    "fw\x00.zip",
    "fürmware.zip",
    "fw.zip?x=1",
    "9" * 256,
    None,
    1,
    ["fw.zip"],
]


def test_valid_zip_names() -> None:
    for name in VALID_ZIP_NAMES:
        assert identifiers.is_valid_zip_name(name), name


def test_invalid_zip_names() -> None:
    for name in INVALID_ZIP_NAMES:
        assert not identifiers.is_valid_zip_name(name), name


@settings(PROPERTY, max_examples=150)
@given(ANYTHING)
def test_an_accepted_zip_name_is_one_safe_path_segment(name: Any) -> None:
    if identifiers.is_valid_zip_name(name):
        assert "/" not in name and "\\" not in name
        assert name[0].isalnum() and name.isascii() and name.isprintable()
        assert " " not in name
        assert 1 <= len(name) <= 255


def test_generated_registration_keys_are_valid_and_distinct() -> None:
    keys = {identifiers.generate_registration_key() for _ in range(200)}

    assert len(keys) == 200
    assert all(identifiers.is_valid_registration_key(key) for key in keys)


def test_invalid_registration_keys() -> None:
    for key in [None, "", "A" * 42, "A" * 44, "A" * 42 + "=", "A" * 42 + "/", "A" * 42 + "\n", 1]:
        assert not identifiers.is_valid_registration_key(key), key


@settings(PROPERTY, max_examples=100)
@given(ANYTHING)
def test_an_accepted_registration_key_is_43_base64url_chars(key: Any) -> None:
    if identifiers.is_valid_registration_key(key):
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", key)


def test_valid_device_ids() -> None:
    for device_id in [
        "ff-dev-00:1a:2b:3c:4d:5e",
        "8c1e4f2a-6b3d-4e9f-a1c2-5d7e9f0b1a3c",
        "SN123",
        "a" * 128,
    ]:
        assert identifiers.is_valid_device_id(device_id), device_id


def test_invalid_device_ids() -> None:
    for device_id in [None, "", "a" * 129, "../x", "a/b", " x", ":x", "x\n", "dév", 5, {"id": "x"}]:
        assert not identifiers.is_valid_device_id(device_id), device_id


@settings(PROPERTY, max_examples=100)
@given(ANYTHING)
def test_an_accepted_device_id_is_short_printable_ascii(device_id: Any) -> None:
    if identifiers.is_valid_device_id(device_id):
        assert device_id.isascii() and device_id.isprintable() and " " not in device_id
        assert "/" not in device_id and len(device_id) <= 128
