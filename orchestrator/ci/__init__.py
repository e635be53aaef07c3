"""GitHub Actions files generated from the manifest (`firefly ci generate`).

Only the graph workflows are generated; `ci.yml`, `deploy.yml` and `delete.yml` are written by
hand and held to the manifest by tests.
"""

from __future__ import annotations

from pathlib import Path

from orchestrator.ci.graph_workflows import (
    delete_graph_workflow,
    deploy_graph_workflow,
    job_id,
)
from orchestrator.graph import delete_graph, deploy_graph
from orchestrator.manifest.models import Manifest

__all__ = ["WORKFLOWS_FOLDER", "job_id", "render_workflows", "stale_files", "write_workflows"]

# Beside the manifest, which therefore sits at the repository root where GitHub looks.
WORKFLOWS_FOLDER = Path(".github/workflows")


def render_workflows(manifest: Manifest) -> dict[str, str]:
    """File name → text of every generated workflow file."""
    deploy = deploy_graph(manifest)
    delete = delete_graph(manifest, deploy)
    return {
        "deploy-graph.yml": deploy_graph_workflow(manifest, deploy),
        "delete-graph.yml": delete_graph_workflow(manifest, delete),
    }


def stale_files(folder: Path, files: dict[str, str]) -> list[str]:
    """Generated files missing from `folder` or different from what the manifest gives."""
    return sorted(name for name, text in files.items()
                  if not (folder / name).is_file()
                  or (folder / name).read_text(encoding="utf-8") != text)


def write_workflows(folder: Path, files: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = folder / name
        # newline="\n": the committed bytes must not depend on the platform that generated them.
        with path.open("w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        written.append(path)
    return written
