"""Parsed templates kept on disk between runs, keyed by their text: a warm `firefly validate`
reads each template's parse instead of composing its YAML again (nine tenths of its time).

A mapping is stored as `{"l": its line, "i": [[key, key's line, value], …]}`; every JSON object
in an entry is such a mapping, so reading needs no type tags. Only a template that parsed
without a problem is kept, and only when every value is one JSON holds exactly (text, number,
boolean, null, list, mapping); any other is parsed again each run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from orchestrator.disk_cache import JSON_SCALARS, entry_path, read_json_entry, write_json_entry
from orchestrator.templates.loader import LocatedDict

# Part of every key: change it whenever the loader reads a template differently.
LOADER_FORMAT = "1"


def cached_parse(text: str) -> LocatedDict | None:
    """The parse stored for `text`, or None when there is none (or it cannot be read)."""
    body = read_json_entry(_path(text), _mapping)
    return body if isinstance(body, LocatedDict) else None


def store_parse(text: str, body: LocatedDict) -> None:
    try:
        encoded = _encoded(body)
    except TypeError:
        return  # a value JSON cannot hold exactly: parsed again next run
    write_json_entry(_path(text), encoded)


def cached_parse_set(texts: Sequence[str]) -> list[LocatedDict] | None:
    """The parses of `texts` stored together by an earlier run over the same templates: one
    file read instead of one per template (at 2,000 templates, a tenth of a warm validate)."""
    stored = read_json_entry(_set_path(texts), _mapping)
    if not isinstance(stored, list) or len(stored) != len(texts):
        return None
    return stored if all(isinstance(body, LocatedDict) for body in stored) else None


def store_parse_set(texts: Sequence[str], bodies: Sequence[LocatedDict]) -> None:
    try:
        encoded = [_encoded(body) for body in bodies]
    except TypeError:
        return  # a value JSON cannot hold exactly: parsed one by one next run
    write_json_entry(_set_path(texts), encoded)


def _set_path(texts: Sequence[str]) -> Path:
    return entry_path("template-parse-sets", LOADER_FORMAT, *texts, suffix=".json")


def _path(text: str) -> Path:
    return entry_path("template-parses", LOADER_FORMAT, text, suffix=".json")


def _mapping(data: dict[str, Any]) -> LocatedDict:
    result = LocatedDict(data["l"])
    for key, line, value in data["i"]:
        result[key] = value
        result.key_lines[key] = line
    return result


def _encoded(value: Any) -> Any:
    if isinstance(value, LocatedDict):
        return {
            "l": value.line,
            "i": [[k, value.line_of(k), _encoded(v)] for k, v in value.items()],
        }
    if type(value) is list:
        return [_encoded(item) for item in value]
    if type(value) in JSON_SCALARS:
        return value
    raise TypeError(f"{type(value).__name__} has no exact JSON form")
