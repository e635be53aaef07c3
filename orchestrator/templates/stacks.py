"""Which template each stack workflow deploys, and where the manifest says so."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orchestrator.errors import Problem
from orchestrator.manifest import Manifest, Workflow, display_path
from orchestrator.manifest.yaml_source import LocatedMap, load_located
from orchestrator.templates.model import Template, load_template


@dataclass(frozen=True)
class StackTemplate:
    """A stack workflow with its template; `template` is None when missing or unreadable."""

    workflow: Workflow
    path: Path
    template: Template | None
    problems: tuple[Problem, ...]


def stack_templates(manifest: Manifest) -> list[StackTemplate]:
    """Every workflow that deploys a template, in manifest order."""
    found = []
    for workflow in manifest.workflows.values():
        if workflow.template is None:
            continue
        path = manifest.root / workflow.template
        if not path.is_file():
            problem = Problem(
                manifest.display,
                key_line(manifest, workflow, "template"),
                f"workflows.{workflow.name}.template",
                f"template '{workflow.template}' not found (relative to the "
                "manifest's folder); create it or fix the path",
            )
            found.append(StackTemplate(workflow, path, None, (problem,)))
            continue
        template, problems = load_template(path, display_path(path))
        found.append(StackTemplate(workflow, path, template, tuple(problems)))
    return found


def parsed(manifest: Manifest) -> list[tuple[Workflow, Template]]:
    """The stack workflows whose template could be read; the others are reported once, apart."""
    return [(s.workflow, s.template) for s in stack_templates(manifest) if s.template is not None]


_key_lines: dict[tuple[Path, int], dict[str, dict[str, int]]] = {}


def key_line(manifest: Manifest, workflow: Workflow, key: str) -> int:
    """The manifest line of `key` inside `workflow` (the model keeps only the workflow's line)."""
    stat = manifest.path.stat()
    cache_key = (manifest.path, stat.st_mtime_ns)
    if cache_key not in _key_lines:
        _key_lines[cache_key] = _read_key_lines(manifest)
    return _key_lines[cache_key].get(workflow.name, {}).get(key, workflow.line)


def _read_key_lines(manifest: Manifest) -> dict[str, dict[str, int]]:
    root, _ = load_located(manifest.path, manifest.display)
    top = root.value if root is not None else None
    workflows = top.items.get("workflows") if isinstance(top, LocatedMap) else None
    if workflows is None or not isinstance(workflows.value, LocatedMap):
        return {}
    return {
        name: dict(entry.value.key_lines)
        for name, entry in workflows.value.items.items()
        if isinstance(entry.value, LocatedMap)
    }
