"""`firefly graph`: the deploy or delete graph as a tree, mermaid, dot or JSON."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from orchestrator.cli.console import print_plain, stdout
from orchestrator.cli.options import DEFAULT_MANIFEST, ManifestOption

if TYPE_CHECKING:
    from rich.tree import Tree

    from orchestrator.graph import WorkflowGraph
    from orchestrator.manifest.models import Manifest

EXAMPLE = "Example: firefly graph --action delete --format mermaid"


class GraphAction(StrEnum):
    DEPLOY = "deploy"
    DELETE = "delete"


class GraphFormat(StrEnum):
    TREE = "tree"
    MERMAID = "mermaid"
    DOT = "dot"
    JSON = "json"


def graph(
    manifest: ManifestOption = DEFAULT_MANIFEST,
    action: Annotated[
        GraphAction, typer.Option("--action", "-a", help="Which graph to show.")
    ] = GraphAction.DEPLOY,
    output_format: Annotated[
        GraphFormat,
        typer.Option(
            "--format",
            "-f",
            help="tree for people; json (both graphs), mermaid or dot for other tools.",
        ),
    ] = GraphFormat.TREE,
) -> None:
    """Show the order in which workflows deploy (or delete), with the reason of every edge."""
    from orchestrator.graph import delete_graph, deploy_graph
    from orchestrator.validation import load_checked
    from orchestrator.views import dot, graphs_json, mermaid

    loaded = load_checked(manifest)
    deploy = deploy_graph(loaded)
    delete = delete_graph(loaded, deploy)
    chosen = deploy if action is GraphAction.DEPLOY else delete
    types = {name: workflow.type for name, workflow in loaded.workflows.items()}
    if output_format is GraphFormat.JSON:
        print_plain(graphs_json(deploy, delete))
    elif output_format is GraphFormat.MERMAID:
        print_plain(mermaid(chosen, types))
    elif output_format is GraphFormat.DOT:
        print_plain(dot(chosen, types))
    else:
        stdout.print(_tree(loaded, chosen), soft_wrap=False)


def _tree(manifest: Manifest, graph: WorkflowGraph) -> Tree:
    from rich.text import Text
    from rich.tree import Tree

    levels = graph.levels()
    verb = "deploy" if graph.action.value == "deploy" else "delete"
    root = Tree(
        Text(
            f"{verb} order: {len(graph)} workflows in {len(levels)} levels "
            "(a level runs in parallel)",
            style="bold",
        )
    )
    for number, level in enumerate(levels, start=1):
        branch = root.add(Text(f"level {number}", style="cyan"))
        for name in level:
            kind = manifest.workflows[name].type.value
            node = branch.add(Text.assemble((name, "bold"), f" ({kind})"))
            for before, reason in graph.prerequisites(name).items():
                node.add(Text.assemble("after ", (before, "green"), f": {reason}"))
    return root
