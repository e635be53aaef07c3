"""Formats of the identifiers clients send: firmware zip names, registration keys, device ids.

Each validator is total: it accepts any Python value and answers True or False, so a caller can
hand it whatever came out of a JSON body or a path parameter.
"""

import re
import secrets
from typing import Any, TypeGuard

# A zip_name is also an S3 object key. One path segment, starting with a letter or digit, from a
# small alphabet: no "/" (so no "../x", no collision with the revoked/ prefix), no spaces, no
# control or non-ASCII characters. 255 matches common file-name limits.
_ZIP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")

# secrets.token_urlsafe(32): 32 random bytes (256 bits), base64url without padding = 43 chars.
REGISTRATION_KEY_BYTES = 32
_REGISTRATION_KEY = re.compile(r"[A-Za-z0-9_-]{43}")

# Hardware ids come as serials, MACs (with ':') or UUIDs; 128 is generous for all of them.
_DEVICE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def is_valid_zip_name(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and _ZIP_NAME.fullmatch(value) is not None


def generate_registration_key() -> str:
    return secrets.token_urlsafe(REGISTRATION_KEY_BYTES)


def is_valid_registration_key(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and _REGISTRATION_KEY.fullmatch(value) is not None


def is_valid_device_id(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and _DEVICE_ID.fullmatch(value) is not None
