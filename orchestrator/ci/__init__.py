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

__all__ = ["WORKFLOWS_FOLDER", "job_id", "render_workflows"]

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
