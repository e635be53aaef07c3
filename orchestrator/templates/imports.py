"""`Fn::ImportValue` orders stacks behind the manifest's back: it needs a deploy edge too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

from orchestrator.errors import Problem
from orchestrator.graph import deploy_graph
from orchestrator.manifest import Manifest
from orchestrator.templates.loader import LocatedDict
from orchestrator.templates.model import walk
from orchestrator.templates.stacks import EVERY_WORKFLOW, Scope, parsed

_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


def _name_pattern(value: Any, stack_name: str) -> str | None:
    """An export or import name as a glob: what cannot be known before deploy becomes `*`."""
    if isinstance(value, dict) and "Fn::Sub" in value:
        value = value["Fn::Sub"]
        value = value[0] if isinstance(value, list) and value else value
        if not isinstance(value, str):
            return None
        return _VARIABLE.sub(lambda m: stack_name if m[1] == "AWS::StackName" else "*", value)
    return value if isinstance(value, str) else None


def _matches(imported: str, exported: str) -> bool:
    return fnmatchcase(exported, imported) or fnmatchcase(imported, exported)


def check_import_values(manifest: Manifest, scope: Scope = EVERY_WORKFLOW) -> Iterator[Problem]:
    """Each `Fn::ImportValue` resolves to an export of a workflow this one is ordered after.

    Every template is read for its exports, in scope or not: the exporter of an import in scope
    may be left out of the selection (`--no-deps`).
    """
    exports: list[tuple[str, str]] = []
    for workflow, template in parsed(manifest):
        stack = manifest.stack_name(workflow.name, "*")
        for name, _ in template.exports():
            pattern = _name_pattern(name, stack)
            if pattern is not None:
                exports.append((pattern, workflow.name))
    graph = deploy_graph(manifest)
    for workflow, template in parsed(manifest, scope):
        if "ImportValue" not in template.text:
            continue  # most templates import nothing: no need to walk every value of theirs
        stack = manifest.stack_name(workflow.name, "*")
        for node in walk(template.body):
            if "Fn::ImportValue" not in node or not isinstance(node, LocatedDict):
                continue
            wanted = _name_pattern(node["Fn::ImportValue"], stack)
            if wanted is None:
                continue  # a computed name: cfn-lint checks the shape, nobody can check the edge
            exporters = sorted({w for pattern, w in exports if _matches(wanted, pattern)})
            field = "Fn::ImportValue"
            if not exporters:
                yield Problem(
                    template.display,
                    node.line,
                    field,
                    f"imports '{wanted}', which no workflow's template exports; "
                    "firefly cannot order this stack after its producer",
                )
            elif not graph.all_prerequisites(workflow.name).intersection(exporters):
                yield Problem(
                    template.display,
                    node.line,
                    field,
                    f"imports '{wanted}' from workflow {exporters[0]}, but "
                    f"{workflow.name} does not need it; add "
                    f"workflows.{workflow.name}.deploy.needs.{exporters[0]}",
                )
