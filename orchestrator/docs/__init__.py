"""`firefly docs`: the workflow pages, computed from the manifest and its graphs."""

from __future__ import annotations

from pathlib import Path

from orchestrator.docs.pages import index_page, workflow_page
from orchestrator.generated import stale_files, write_files
from orchestrator.graph import delete_graph, deploy_graph
from orchestrator.manifest.models import Manifest

INDEX = "README.md"


def render_docs(manifest: Manifest) -> dict[str, str]:
    """File name → Markdown for every page."""
    deploy = deploy_graph(manifest)
    delete = delete_graph(manifest, deploy)
    pages = {INDEX: index_page(manifest, deploy, delete)}
    for name, workflow in manifest.workflows.items():
        pages[f"{name}.md"] = workflow_page(manifest, deploy, delete, workflow)
    return pages


def stale_pages(out: Path, pages: dict[str, str]) -> list[str]:
    """Pages missing or different in `out`, and Markdown files there that no workflow has."""
    stale = stale_files(out, pages)
    if out.is_dir():
        stale += [p.name for p in out.glob("*.md") if p.name not in pages]
    return sorted(stale)


def write_docs(out: Path, pages: dict[str, str]) -> list[Path]:
    """Write every page and remove pages of workflows that no longer exist."""
    if out.is_dir():
        for leftover in out.glob("*.md"):
            if leftover.name not in pages:
                leftover.unlink()
    return write_files(out, pages)
