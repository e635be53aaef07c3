"""Parsed templates kept on disk between runs, keyed by their text: a warm `firefly validate`
reads each template's parse instead of composing its YAML again (nine tenths of its time).

Entries are JSON, never a pickle: the cache folder is what CI restores, and loading a pickle runs
whatever code it holds. A mapping is stored as `{"l": its line, "i": [[key, key's line, value],
…]}`; every JSON object in an entry is such a mapping, so reading needs no type tags. Only a
template that parsed without a problem is kept, and only when every value is one JSON holds
exactly (text, number, boolean, null, list, mapping); any other is parsed again each run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from orchestrator.disk_cache import entry_path, read_entry, write_entry
from orchestrator.templates.loader import LocatedDict

# Part of every key: change it whenever the loader reads a template differently.
LOADER_FORMAT = "1"
_EXACT = (str, int, float, bool, type(None))


def cached_parse(text: str) -> LocatedDict | None:
    """The parse stored for `text`, or None when there is none (or it cannot be read)."""
    data = read_entry(_path(text))
    if data is None:
        return None
    try:
        body = json.loads(data, object_hook=_mapping)
    except (ValueError, KeyError, TypeError):
        return None  # unreadable: parse again
    return body if isinstance(body, LocatedDict) else None


def store_parse(text: str, body: LocatedDict) -> None:
    try:
        encoded = json.dumps(_encoded(body), allow_nan=False)
    except ValueError:
        return  # a value JSON cannot hold exactly: parsed again next run
    write_entry(_path(text), encoded.encode())


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
    if type(value) in _EXACT:
        return value
    raise ValueError(f"{type(value).__name__} has no exact JSON form")
