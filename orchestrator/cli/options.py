"""Options shared by every command, declared once so their names and help never drift."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from orchestrator.errors import UsageError

ManifestOption = Annotated[
    Path,
    typer.Option(
        "--manifest",
        "-m",
        envvar="FIREFLY_MANIFEST",
        help="The manifest; template paths are relative to its folder.",
        show_default=True,
    ),
]
DEFAULT_MANIFEST = Path("workflows.yaml")


def writable_report(path: Path | None) -> Path | None:
    """`--report`'s callback: a path the run could never write fails now, not after the run."""
    if path is None:
        return None
    if path.is_dir():
        raise typer.BadParameter(f"{path} is a folder: name a file in it")
    folder = path.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise typer.BadParameter(f"{folder} is a file, so {path} cannot be created")
    if not os.access(folder if not path.exists() else path, os.W_OK):
        raise typer.BadParameter(f"no permission to write {path}")
    return path


def check_no_deps(only: list[str] | None, no_deps: bool) -> None:
    """`--no-deps` narrows an `--only` selection; alone it would silently select everything."""
    if no_deps and not only:
        raise UsageError(
            "--no-deps leaves out what the --only workflows need, and none was given: "
            "add --only W, or drop --no-deps"
        )
