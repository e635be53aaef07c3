"""Which template each stack workflow deploys, where the manifest says so, and which to check."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from orchestrator.errors import Problem
from orchestrator.manifest import Manifest, Workflow, display_path
from orchestrator.manifest.yaml_source import LocatedMap, load_located
from orchestrator.templates.model import Template, load_templates


@dataclass(frozen=True)
class Scope:
    """The workflows whose own problems a check reports; `None`: every workflow.

    `firefly validate` checks every workflow; deploy, plan and delete check the ones they
    selected. A check may still read other workflows' templates (the producer of an output, the
    exporter of an import) to judge one in scope, but reports nothing about them.
    """

    workflows: frozenset[str] | None = None

    def __contains__(self, workflow: object) -> bool:
        return self.workflows is None or workflow in self.workflows


EVERY_WORKFLOW = Scope()


@dataclass(frozen=True)
class StackTemplate:
    """A stack workflow with its template; `template` is None when missing or unreadable."""

    workflow: Workflow
    path: Path
    template: Template | None
    problems: tuple[Problem, ...]


# Set while a run of checks is under way (`reading_once`): the manifest's id -> every stack
# template it deploys. The files do not change during one run; ten checks read each of them.
_read_in_run: ContextVar[dict[int, tuple[Manifest, list[StackTemplate]]] | None] = ContextVar(
    "_read_in_run", default=None
)


@contextmanager
def reading_once() -> Iterator[None]:
    """Within, every check reads each template once: a run of checks sees one version of them.

    Nested, it keeps the outer run's reads: `firefly validate` shows the warnings of the
    templates its checks read.
    """
    outer = _read_in_run.get()
    token = _read_in_run.set({} if outer is None else outer)
    try:
        yield
    finally:
        _read_in_run.reset(token)


def stack_templates(manifest: Manifest, scope: Scope = EVERY_WORKFLOW) -> list[StackTemplate]:
    """Every workflow in `scope` that deploys a template, in manifest order."""
    memo = _read_in_run.get()
    if memo is None:
        return _read_stacks(manifest, scope)
    # The manifest is kept beside its id so that the id cannot be reused while remembered.
    if id(manifest) not in memo:
        memo[id(manifest)] = (manifest, _read_stacks(manifest, EVERY_WORKFLOW))
    return [stack for stack in memo[id(manifest)][1] if stack.workflow.name in scope]


def _read_stacks(manifest: Manifest, scope: Scope) -> list[StackTemplate]:
    found: dict[str, StackTemplate] = {}
    readable: list[tuple[Workflow, Path]] = []
    for workflow in manifest.workflows.values():
        if workflow.template is None or workflow.name not in scope:
            continue
        path = manifest.root / workflow.template
        if path.is_file():
            readable.append((workflow, path))
            continue
        problem = Problem(
            manifest.display,
            key_line(manifest, workflow, "template"),
            f"workflows.{workflow.name}.template",
            f"template '{workflow.template}' not found (relative to the "
            "manifest's folder); create it or fix the path",
        )
        found[workflow.name] = StackTemplate(workflow, path, None, (problem,))
    loaded = load_templates([(path, display_path(path)) for _, path in readable])
    for (workflow, path), (template, problems) in zip(readable, loaded, strict=True):
        found[workflow.name] = StackTemplate(workflow, path, template, tuple(problems))
    return [found[name] for name in manifest.workflows if name in found]


def parsed(manifest: Manifest, scope: Scope = EVERY_WORKFLOW) -> list[tuple[Workflow, Template]]:
    """The stack workflows in `scope` whose template could be read; the others are reported
    once, apart."""
    return [
        (s.workflow, s.template) for s in stack_templates(manifest, scope) if s.template is not None
    ]


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
