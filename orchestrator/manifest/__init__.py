"""`workflows.yaml` → frozen typed models; every problem names file:line and the field."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from orchestrator.errors import ManifestError, Problem
from orchestrator.manifest.environments import read_environments
from orchestrator.manifest.models import Environment, Manifest, Workflow, WorkflowType
from orchestrator.manifest.reader import Reader, did_you_mean
from orchestrator.manifest.references import check_references, check_stack_names
from orchestrator.manifest.workflows import read_workflows
from orchestrator.manifest.yaml_source import Located, load_located

__all__ = [
    "Environment",
    "Manifest",
    "Workflow",
    "WorkflowType",
    "display_path",
    "environment",
    "load_manifest",
    "read_manifest",
]

TOP_KEYS = ("version", "project", "stack_name", "environments", "workflows")
PROJECT = re.compile(r"[a-z][a-z0-9-]*")
DEFAULT_STACK_NAME = "{project}-{workflow}"
SUPPORTED_VERSION = 1


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to the current folder when inside it."""
    # os.getcwd, not Path.cwd: this runs for every template of every check, and needs a str.
    return _relative(str(path), os.getcwd())  # noqa: PTH109


@lru_cache(maxsize=4096)
def _relative(path: str, folder: str) -> str:
    # Cached: `firefly validate` shows every template's path from each of its checks.
    try:
        return os.path.relpath(path, folder)
    except ValueError:  # another drive on Windows
        return path


def read_manifest(path: Path) -> tuple[Manifest | None, list[Problem]]:
    """Parse and check `path`; returns what could be built and every problem found."""
    display = display_path(path)
    if not path.exists():
        return None, [
            Problem(
                display, 0, "", "manifest not found; pass --manifest PATH or set FIREFLY_MANIFEST"
            )
        ]
    if path.is_dir():
        return None, [Problem(display, 0, "", "is a folder; pass the manifest file itself")]
    root, problems = load_located(path, display)
    if root is None:
        return None, problems
    reader = Reader(display)
    manifest = _read_top(reader, root, path, display)
    problems += reader.problems
    if manifest is not None:
        problems += check_references(manifest)
    return manifest, problems


def load_manifest(path: Path) -> Manifest:
    """The manifest at `path`, or ManifestError listing every problem."""
    manifest, problems = read_manifest(path)
    if problems or manifest is None:
        raise ManifestError(problems)
    return manifest


def environment(manifest: Manifest, name: str) -> Environment:
    """The declared environment `name`, or an error that lists the declared ones."""
    if name in manifest.environments:
        return manifest.environments[name]
    declared = ", ".join(manifest.environments)
    raise ManifestError(
        [
            Problem(
                manifest.display,
                manifest.line_of_environments,
                "environments",
                f"environment '{name}' is not declared{did_you_mean(name, manifest.environments)}; "
                f"declared: {declared}",
            )
        ]
    )


def _read_top(reader: Reader, root: Located, path: Path, display: str) -> Manifest | None:
    node = reader.mapping(root, "")
    if node is None:
        return None
    reader.known_keys(
        node, "", TOP_KEYS, required=("version", "project", "environments", "workflows")
    )
    items = node.items
    version = items.get("version")
    if version is not None and version.value != SUPPORTED_VERSION:
        reader.problem(
            version.line,
            "version",
            f"unsupported manifest version {version.value!r}; this firefly reads "
            f"version {SUPPORTED_VERSION}",
        )
    project = "firefly"
    if "project" in items:
        project = (
            reader.text(items["project"], "project", PROJECT, "lowercase letters, digits and '-'")
            or project
        )
    stack_name = DEFAULT_STACK_NAME
    if "stack_name" in items:
        stack_name = reader.text(items["stack_name"], "stack_name") or DEFAULT_STACK_NAME
    environments = (
        read_environments(reader, items["environments"]) if "environments" in items else {}
    )
    workflows = read_workflows(reader, items["workflows"]) if "workflows" in items else {}
    manifest = Manifest(
        path=path.resolve(),
        display=display,
        version=SUPPORTED_VERSION,
        project=project,
        stack_name_template=stack_name,
        environments=MappingProxyType(environments),
        workflows=MappingProxyType(workflows),
        line_of_environments=node.key_lines.get("environments", 1),
    )
    line = node.key_lines.get("stack_name", 1)
    reader.problems.extend(check_stack_names(manifest, line))
    return manifest
