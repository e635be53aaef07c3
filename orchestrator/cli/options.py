"""Options shared by every command, declared once so their names and help never drift."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
