"""The graph as text for other tools: the JSON contract, mermaid (GitHub) and dot (Graphviz)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from orchestrator.graph import WorkflowGraph
from orchestrator.manifest.models import WorkflowType


def graph_dict(graph: WorkflowGraph) -> dict[str, Any]:
    """DESIGN.md's contract (nodes, edges, levels) plus each node's needs with their reasons."""
    levels = graph.levels()  # once: the order is the levels one after the other
    order = [workflow for level in levels for workflow in level]
    return {
        "nodes": order,
        "edges": [[edge.before, edge.after] for edge in graph.edges()],
        "levels": levels,
        "needs": {node: graph.prerequisites(node) for node in order},
    }


def graphs_json(deploy: WorkflowGraph, delete: WorkflowGraph) -> str:
    return json.dumps({"deploy": graph_dict(deploy), "delete": graph_dict(delete)}, indent=2)


def mermaid_id(workflow: str) -> str:
    # Mermaid reads '-' next to an arrow as part of the arrow, so ids use '_'.
    return "w_" + workflow.replace("-", "_")


# Inside a quoted mermaid label '"' would end it, '#' starts an entity code, '<' and '>' are read
# as HTML and '|' ends an edge label: each becomes the entity code mermaid renders as itself.
_MERMAID_ENTITIES = str.maketrans(
    {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "|": "#124;", "\n": " "}
)


def mermaid_text(text: str) -> str:
    """`text` safe inside a quoted flowchart label (a node's or an edge's)."""
    return text.translate(_MERMAID_ENTITIES)


def mermaid(
    graph: WorkflowGraph,
    types: Mapping[str, WorkflowType],
    classes: Mapping[str, str] | None = None,
) -> str:
    """A flowchart, left to right in run order, each edge labelled with its reason; `classes`
    may colour nodes (e.g. by result)."""
    lines = ["flowchart LR"]
    lines += [f'    {mermaid_id(n)}["{n}"]:::{types[n].value}' for n in graph.order()]
    lines += [
        f'    {mermaid_id(e.before)} -->|"{mermaid_text(e.reason)}"| {mermaid_id(e.after)}'
        for e in graph.edges()
    ]
    lines += [
        "    classDef sam fill:#fff4e0,stroke:#d68a00",
        "    classDef cloudformation fill:#e8f1fb,stroke:#2f6db5",
        "    classDef tests fill:#eaf7ea,stroke:#2e8b57",
    ]
    for node, css_class in (classes or {}).items():
        lines.append(f"    class {mermaid_id(node)} {css_class}")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(graph: WorkflowGraph, types: Mapping[str, WorkflowType]) -> str:
    shapes = {
        WorkflowType.SAM: "component",
        WorkflowType.CLOUDFORMATION: "box",
        WorkflowType.TESTS: "ellipse",
    }
    lines = [
        f"digraph {graph.action.value} {{",
        "    rankdir=LR;",
        '    node [fontname="Helvetica", style=rounded];',
    ]
    for node in graph.order():
        lines.append(f"    {_quoted(node)} [shape={shapes[types[node]]}];")
    for edge in graph.edges():
        lines.append(
            f"    {_quoted(edge.before)} -> {_quoted(edge.after)} [tooltip={_quoted(edge.reason)}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"
