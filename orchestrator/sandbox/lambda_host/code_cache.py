"""Function code and layers unpacked once per content, as Lambda unpacks them to /var/task and
/opt."""

from __future__ import annotations

import atexit
import hashlib
import io
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Sequence
from pathlib import Path


class CodeCache:
    """Unpacked zips under one temporary folder, keyed by the sha256 of their bytes."""

    def __init__(self) -> None:
        self._root: Path | None = None
        self._lock = threading.Lock()

    def task_root(self, code: bytes) -> Path:
        """The folder holding the function's code (an empty one for an empty package)."""
        return self._unpacked("task", [code])

    def layer_root(self, layers: Sequence[bytes]) -> Path:
        """One folder holding every layer, unpacked in order so that later layers overwrite
        earlier files, as Lambda does in /opt."""
        return self._unpacked("opt", layers)

    def _unpacked(self, kind: str, zips: Sequence[bytes]) -> Path:
        key = hashlib.sha256(b"".join(hashlib.sha256(z).digest() for z in zips)).hexdigest()
        with self._lock:  # two first invocations of one function must not unpack over each other
            target = self._folder() / f"{kind}-{key[:32]}"
            if not target.is_dir():
                partial = target.with_name(target.name + ".partial")
                shutil.rmtree(partial, ignore_errors=True)
                partial.mkdir()
                for content in zips:
                    _extract(content, partial)
                partial.rename(target)
        return target

    def _folder(self) -> Path:
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="firefly-lambda-"))
            atexit.register(shutil.rmtree, self._root, True)
        return self._root


def _extract(content: bytes, target: Path) -> None:
    if not content:
        return
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for member in archive.infolist():
            # never write outside the target, whatever names the zip holds
            destination = (target / member.filename).resolve()
            if not destination.is_relative_to(target.resolve()):
                continue
            archive.extract(member, target)
