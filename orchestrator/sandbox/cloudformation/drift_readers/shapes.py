"""What readers share: live values put in the shape CloudFormation's templates give them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

Properties = dict[str, Any]
# (account, region, physical id, the template's resolved properties) -> live properties or None
Reader = Callable[[str, str, str, Properties], Properties | None]


def tags(pairs: list[dict[str, str]] | None) -> list[dict[str, str]] | None:
    return [{"Key": t["Key"], "Value": t["Value"]} for t in pairs] if pairs else None


def document(text: Any) -> Any:
    """A JSON policy document, parsed: AWS compares documents, not their text. IAM hands them out
    URL-encoded; moto keeps some as the template's object."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return json.loads(unquote(text))


def ordered_like(expected: Any, live: list[Any], key: Callable[[Any], Any]) -> list[Any]:
    """`live` in the template's order where its elements match by `key`, the others after: the
    order of a set-like list (managed policy ARNs, inline policies) is not configuration."""
    wanted = [key(item) for item in expected] if isinstance(expected, list) else []
    by_key = {key(item): item for item in live}
    matched = [by_key[k] for k in wanted if k in by_key]
    return matched + [item for item in live if key(item) not in wanted]


def pascal(value: Any) -> Any:
    """An API's camelCase members in CloudFormation's PascalCase (`allowOrigins` ->
    `AllowOrigins`)."""
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: pascal(v) for k, v in value.items()}
    return value
