"""`firefly docs`: one Markdown page per workflow, computed from the manifest and its graph."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from orchestrator.cli.console import stdout
from orchestrator.cli.options import DEFAULT_MANIFEST, ManifestOption

EXAMPLE = "Example: firefly docs --check"
DEFAULT_OUT = Path("docs/workflows")


def docs(
    manifest: ManifestOption = DEFAULT_MANIFEST,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Folder for the pages (default: docs/workflows beside the manifest).",
        ),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; fail when a page is out of date.")
    ] = False,
) -> None:
    """Write the workflow pages: dependencies, Required By, deploy and delete steps."""
    from orchestrator.cli.generated import fail_if_stale
    from orchestrator.docs import render_docs, stale_pages, write_docs
    from orchestrator.engine.redaction import manifest_redactor
    from orchestrator.manifest import display_path
    from orchestrator.validation import load_checked

    loaded = load_checked(manifest)
    folder = out if out is not None else manifest.parent / DEFAULT_OUT
    # Pages name secrets, never their values; masked anyway, should a description quote one.
    pages = manifest_redactor(loaded, os.environ).mapping(render_docs(loaded))
    if check:
        fail_if_stale(folder, stale_pages(folder, pages), noun="page", command="firefly docs")
        stdout.print(f"{display_path(folder)}: {len(pages)} pages up to date")
        return
    write_docs(folder, pages)
    stdout.print(f"{display_path(folder)}: wrote {len(pages)} pages")
