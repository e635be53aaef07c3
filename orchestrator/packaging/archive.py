"""Reproducible zips and content hashes of folders: same files → same bytes → same key.

A zip records each entry's timestamp, permissions and order, so zipping the same sources on two
machines (or after a fresh clone, which resets every mtime) gives different bytes unless all three
are fixed. The artifact key is the sha256 of those bytes, so an unchanged function is never
uploaded again, as `sam package` does.
"""

from __future__ import annotations

import fnmatch
import hashlib
import io
import os
import stat
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# The earliest time a zip can record (MS-DOS dates start in 1980).
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
EXECUTABLE_MODE = 0o755
# zlib's output for a given input and level is stable for a given zlib build; the level is fixed
# so that the bytes do not depend on Python's default.
COMPRESS_LEVEL = 6
# Never in a zip: bytecode differs with every interpreter and would break reproducibility.
BYTECODE = ("__pycache__", "*.pyc")


@dataclass(frozen=True, order=True)
class Entry:
    """One file of a folder, as it goes into a zip: its archive name and whether it runs."""

    name: str
    path: Path
    executable: bool


def _excluded(name: str, excludes: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in excludes)


def folder_entries(folder: Path, excludes: Iterable[str] = BYTECODE) -> list[Entry]:
    """Every file under `folder` not matched by `excludes` (at any depth), sorted by name.

    Symbolic links to files are followed (their content is zipped); links to folders are not,
    which also keeps a link loop from walking forever.
    """
    patterns = tuple(excludes)
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not _excluded(d, patterns)]
        for name in files:
            path = Path(root, name)
            if _excluded(name, patterns) or not path.is_file():
                continue
            mode = path.stat().st_mode
            found.append(
                Entry(
                    path.relative_to(folder).as_posix(),
                    path,
                    bool(mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)),
                )
            )
    return sorted(found)


def _parents(name: str) -> Iterator[str]:
    parts = name.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        yield "/".join(parts[:depth]) + "/"


def _info(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    # Unix "made by", so unzip and Lambda read the permission bits in the high 16 bits.
    info.create_system = 3
    info.external_attr = mode << 16
    if name.endswith("/"):
        info.external_attr |= 0x10  # the MS-DOS directory flag
        info.compress_type = zipfile.ZIP_STORED
    else:
        info.compress_type = zipfile.ZIP_DEFLATED
    return info


def zip_entries(entries: Iterable[Entry]) -> bytes:
    """The zip of `entries`: sorted, with fixed timestamps and permissions, fixed deflate level."""
    files = sorted(entries)
    folders = sorted({parent for entry in files for parent in _parents(entry.name)})
    members = sorted(
        [(name, None) for name in folders] + [(entry.name, entry) for entry in files],
        key=lambda m: m[0],
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compresslevel=COMPRESS_LEVEL) as archive:
        for name, entry in members:
            if entry is None:
                archive.writestr(_info(name, stat.S_IFDIR | EXECUTABLE_MODE), b"")
                continue
            mode = EXECUTABLE_MODE if entry.executable else FILE_MODE
            archive.writestr(
                _info(name, stat.S_IFREG | mode),
                entry.path.read_bytes(),
                compresslevel=COMPRESS_LEVEL,
            )
    return buffer.getvalue()


def zip_folder(folder: Path, excludes: Iterable[str] = BYTECODE) -> bytes:
    """The reproducible zip of `folder`'s files (paths relative to it)."""
    return zip_entries(folder_entries(folder, excludes))


def tree_hash(folder: Path, excludes: Iterable[str], salt: str = "") -> str:
    """A sha256 of what would be zipped: names, executable bits and contents, never mtimes."""
    digest = hashlib.sha256(salt.encode())
    for entry in folder_entries(folder, excludes):
        content = hashlib.sha256(entry.path.read_bytes()).hexdigest()
        digest.update(f"{entry.name}\0{int(entry.executable)}\0{content}\n".encode())
    return digest.hexdigest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
