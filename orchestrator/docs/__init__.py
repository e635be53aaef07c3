"""`firefly docs`: the workflow pages, computed from the manifest and its graphs."""

from __future__ import annotations

from pathlib import Path

from orchestrator.docs.pages import index_page, workflow_page
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
    stale = [name for name, text in pages.items()
             if not (out / name).is_file() or (out / name).read_text(encoding="utf-8") != text]
    if out.is_dir():
        stale += sorted(p.name for p in out.glob("*.md") if p.name not in pages)
    return sorted(stale)


def write_docs(out: Path, pages: dict[str, str]) -> list[Path]:
    """Write every page and remove pages of workflows that no longer exist."""
    out.mkdir(parents=True, exist_ok=True)
    for leftover in out.glob("*.md"):
        if leftover.name not in pages:
            leftover.unlink()
    written = []
    for name, text in pages.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
