"""The `*` wildcard of the CORS configurations AWS services take, shared by the served APIs' and
S3's CORS.

Both match an origin against patterns where `*` stands for any run of characters: API Gateway's
`allowOrigins` takes `*`, `https://*` and `http://*`
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html), S3's
`AllowedOrigin` and `AllowedHeader` one `*` anywhere, such as `http://*.example.com`
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/ManageCorsUsing.html).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable


@functools.cache
def _compiled(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    literal = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.compile(literal, re.IGNORECASE if ignore_case else 0)


def matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """Whether `value` is what `pattern` names, `*` matching any run of characters."""
    return _compiled(pattern, ignore_case).fullmatch(value) is not None


def first_match(patterns: Iterable[str], value: str, *, ignore_case: bool = False) -> str | None:
    """The first of `patterns` that names `value`, or None."""
    for pattern in patterns:
        if matches(pattern, value, ignore_case=ignore_case):
            return pattern
    return None
