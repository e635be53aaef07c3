"""Where firefly keeps what it can compute again, between runs: `FIREFLY_CACHE_DIR`.

Entries are files named by a digest of everything they depend on, written atomically so that
parallel runs never read half an entry; an entry that cannot be read or written only costs the
next run its speed. Entries are bytes or JSON, never a pickle: the folder is what CI restores,
and loading a pickle runs whatever code it holds.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

# The values JSON holds exactly: a cached parse with any other (a date, bytes, NaN) is not kept.
JSON_SCALARS = (str, int, float, bool, type(None))


def entry_path(kind: str, *parts: str, suffix: str) -> Path:
    """The file that holds the `kind` entry for `parts` (each one part of its key)."""
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return _folder(os.environ.get("FIREFLY_CACHE_DIR"), kind) / f"{digest}{suffix}"


@cache
def _folder(root: str | None, kind: str) -> Path:
    return Path(root or Path.home() / ".cache" / "firefly") / kind


def read_entry(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None  # absent or unreadable: compute again


def write_entry(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)  # atomic: parallel runs never read half a file
    except OSError:
        pass  # a read-only home only costs the next run its speed


def read_json_entry(path: Path, object_hook: Callable[[dict[str, Any]], Any]) -> Any | None:
    """The JSON entry at `path` built by `object_hook`, or None when absent or unreadable."""
    data = read_entry(path)
    if data is None:
        return None
    try:
        return json.loads(data, object_hook=object_hook)
    except (ValueError, KeyError, TypeError):
        return None  # unreadable: compute again


def write_json_entry(path: Path, value: Any) -> None:
    """Store `value`; NaN and infinities have no exact JSON form and leave nothing stored."""
    try:
        encoded = json.dumps(value, allow_nan=False)
    except ValueError:
        return
    write_entry(path, encoded.encode())
