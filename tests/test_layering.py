"""STYLE.md's layering, enforced: each third-party library is imported where it belongs."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MANIFEST, REPO

PACKAGE = REPO / "orchestrator"

# library -> the only places (paths relative to the repository) allowed to import it
OWNERS = {
    "typer": ("orchestrator/cli/",),
    "rich": ("orchestrator/cli/",),
    "click": ("orchestrator/cli/",),
    "boto3": ("orchestrator/aws/",),
    "botocore": ("orchestrator/aws/",),
    "networkx": ("orchestrator/graph.py",),
    "moto": ("orchestrator/sandbox/",),
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_walker_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    import boto3\n    from rich.text import Text\n")

    assert imported_roots(module) == {"boto3", "rich"}


@pytest.mark.parametrize("path", python_files(PACKAGE), ids=lambda p: str(p.relative_to(REPO)))
def test_libraries_are_imported_only_by_their_layer(path: Path) -> None:
    relative = path.relative_to(REPO).as_posix()
    wrong = {
        library
        for library in imported_roots(path) & set(OWNERS)
        if not relative.startswith(OWNERS[library])
    }

    assert not wrong, f"{relative} imports {sorted(wrong)}; see STYLE.md for the layering"


def test_lambda_sources_never_import_the_orchestrator() -> None:
    offenders = [
        p.relative_to(REPO).as_posix()
        for p in python_files(REPO / "lambdas")
        if "orchestrator" in imported_roots(p)
    ]

    assert offenders == []


def test_graph_and_help_do_not_load_boto3() -> None:
    probe = (
        "import sys\n"
        "from orchestrator.cli import run\n"
        f"assert run(['graph', '--format', 'json', '--manifest', {str(MANIFEST)!r}]) == 0\n"
        "assert run(['--help']) == 0\n"
        "print(sorted(m for m in ('boto3', 'botocore', 'moto') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip().splitlines()[-1] == "[]"
