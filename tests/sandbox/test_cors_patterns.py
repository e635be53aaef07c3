"""cors_patterns: the `*` wildcard of S3's and API Gateway's CORS origins and headers."""

from __future__ import annotations

import pytest

from orchestrator.sandbox import cors_patterns
from orchestrator.sandbox.apis import cors


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("http://localhost:3000", "http://localhost:3000", True),
        ("http://localhost:3000", "http://localhost:30001", False),
        ("http://*.example.com", "http://app.example.com", True),
        ("http://*.example.com", "http://example.com", False),
        ("https://*", "http://app.example.com", False),
        ("http://a.b", "http://aXb", False),  # a dot is a dot, not any character
        ("*", "null", True),
    ],
)
def test_an_origin_matches_its_pattern_only(pattern: str, value: str, expected: bool) -> None:
    assert cors_patterns.matches(pattern, value) is expected


def test_header_names_match_whatever_their_case() -> None:
    assert cors_patterns.first_match(["Content-*", "x-amz-acl"], "content-type", ignore_case=True)
    assert cors_patterns.first_match(["x-amz-acl"], "X-AMZ-ACL", ignore_case=True) == "x-amz-acl"
    assert cors_patterns.first_match(["x-amz-acl"], "X-AMZ-ACL") is None


def test_a_served_api_s_scheme_wildcard_answers_with_the_origin() -> None:
    config = {"allowOrigins": ["https://*"], "allowMethods": ["GET"]}

    allowed = cors.preflight_headers(config, {"origin": "https://app.example.com"})
    refused = cors.preflight_headers(config, {"origin": "http://app.example.com"})

    assert ("access-control-allow-origin", "https://app.example.com") in allowed
    assert refused == []
