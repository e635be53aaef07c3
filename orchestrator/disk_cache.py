"""Where firefly keeps what it can compute again, between runs: `FIREFLY_CACHE_DIR`.

Entries are files named by a digest of everything they depend on, written atomically so that
parallel runs never read half an entry; an entry that cannot be read or written only costs the
next run its speed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


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


def parsed(kind: str, parser_file: str, text: str, parse: Callable[[str], T]) -> T:
    """`parse(text)`, kept on disk by the text and by the parser module's own source.

    For parses that cost more than reading a pickle back (a large YAML file's located values):
    a changed parser (its module's text, or PyYAML's version) never reads an old parse. The
    entries are pickles in the user's own cache folder, as trusted as the code itself.
    An error `parse` raises is raised here, and nothing is kept.
    """
    stored = entry_path(kind, _parser_version(parser_file), text, suffix=".pickle")
    data = read_entry(stored)
    if data is not None:
        try:
            result: T = pickle.loads(data)
            return result
        except Exception:  # an old or torn entry, whatever it raises: parse again
            pass
    result = parse(text)
    write_entry(stored, pickle.dumps(result, pickle.HIGHEST_PROTOCOL))
    return result


@cache
def _parser_version(parser_file: str) -> str:
    import yaml

    return hashlib.sha256(Path(parser_file).read_bytes()).hexdigest() + yaml.__version__
