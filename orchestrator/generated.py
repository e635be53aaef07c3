"""Files firefly generates from the manifest and that are committed (docs, graph workflows):
written byte-for-byte the same on every platform, and compared for `--check`."""

from __future__ import annotations

from pathlib import Path


def stale_files(folder: Path, files: dict[str, str]) -> list[str]:
    """Names in `files` missing from `folder` or different there, sorted."""
    return sorted(
        name
        for name, text in files.items()
        if not (folder / name).is_file() or (folder / name).read_text(encoding="utf-8") != text
    )


def write_files(folder: Path, files: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = folder / name
        # newline="\n": the committed bytes must not depend on the platform that generated them.
        with path.open("w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        written.append(path)
    return written
