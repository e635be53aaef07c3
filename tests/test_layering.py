"""STYLE.md's layering, enforced: each third-party library is imported where it belongs, each
layer imports only the layers below it, and no two modules of the orchestrator import each other."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

from tests.conftest import MANIFEST, REPO

PACKAGE = REPO / "orchestrator"

# library -> the only places (paths relative to the repository) allowed to import it
OWNERS = {
    "typer": ("orchestrator/cli/",),
    "rich": ("orchestrator/cli/",),
    "click": ("orchestrator/cli/",),
    # and the template of the sandbox's Lambda environments, which preloads the SDK that Lambda's
    # Python runtime ships (a process of its own: the engine never imports it)
    "boto3": ("orchestrator/aws/", "orchestrator/sandbox/lambda_host/zygote.py"),
    # and the sandbox's request guard, which reads the operations AWS serves unsigned from
    # botocore's service models, and the engine's start, which shares the SDK's parsed service
    # models while moto imports
    "botocore": (
        "orchestrator/aws/",
        "orchestrator/sandbox/guard/unsigned.py",
        "orchestrator/sandbox/startup.py",
    ),
    # nowhere: graph.py orders with graphlib, since importing networkx alone takes 0.2 s
    "networkx": (),
    "moto": ("orchestrator/sandbox/",),
}

# Dependencies point one way (STYLE.md rule 1): place (a path relative to the repository) ->
# the orchestrator modules it must not import, each with everything under it
ABOVE_THE_MODEL = (
    "orchestrator.engine",
    "orchestrator.aws",
    "orchestrator.cli",
    "orchestrator.sandbox",
)
FORBIDDEN = {
    "orchestrator/engine/": ("orchestrator.aws", "orchestrator.cli", "orchestrator.sandbox"),
    "orchestrator/manifest/": ABOVE_THE_MODEL,
    "orchestrator/graph.py": ABOVE_THE_MODEL,
    "orchestrator/aws/": ("orchestrator.cli",),
}
# place -> the only orchestrator modules it may import: the sandbox is an engine of its own
CONFINED = {"orchestrator/sandbox/": ("orchestrator.sandbox", "orchestrator.errors")}
# the CLI is the top: only itself and the `python -m orchestrator` entry point import it
CLI_IMPORTERS = ("orchestrator/cli/", "orchestrator/__main__.py")


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


@dataclass(frozen=True)
class InternalImport:
    target: str  # the module it loads: `from pkg import name` is `pkg.name` when a submodule
    line: int
    annotation_only: bool  # under `if TYPE_CHECKING:`, so never executed


def package_modules(package: Path) -> dict[str, Path]:
    """Every module of a package by dotted name; a package's name stands for its `__init__`."""
    modules = {}
    for path in python_files(package):
        parts = path.relative_to(package.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _nodes(node: ast.AST, annotation_only: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    """Every node of a tree, functions' bodies included, each with whether it is annotation-only."""
    yield node, annotation_only
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        for statement in node.body:
            yield from _nodes(statement, True)
        for statement in node.orelse:
            yield from _nodes(statement, annotation_only)
        return
    for child in ast.iter_child_nodes(node):
        yield from _nodes(child, annotation_only)


def internal_imports(module: str, path: Path, modules: Collection[str]) -> list[InternalImport]:
    """The imports of `module` (at `path`) that load a module of its own top-level package."""
    root = module.split(".")[0]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node, annotation_only in _nodes(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *filter(None, [base])])
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        found += [
            InternalImport(target, node.lineno, annotation_only)
            for target in targets
            if target == root or target.startswith(f"{root}.")
        ]
    return found


def import_graph(package: Path) -> nx.DiGraph:
    """Module -> module for every import that runs (annotation-only ones never do)."""
    modules = package_modules(package)
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for module, path in modules.items():
        graph.add_edges_from(
            (module, found.target)
            for found in internal_imports(module, path, modules)
            if not found.annotation_only and found.target != module
        )
    return graph


def import_cycles(package: Path) -> list[str]:
    """The shortest import cycle through each module that is on one, as `a -> b -> a`.

    Not every simple cycle: one wrong edge can close thousands of them, and the shortest ones
    name the imports to remove.
    """
    graph = import_graph(package)
    cycles = set()
    for component in nx.strongly_connected_components(graph):
        inner = graph.subgraph(component)
        for module in sorted(component) if len(component) > 1 else []:
            back = min(
                (nx.shortest_path(inner, after, module) for after in inner.successors(module)),
                key=lambda path: (len(path), path),
            )
            cycle = [module, *back[:-1]]
            start = cycle.index(min(cycle))
            cycles.add(" -> ".join([*cycle[start:], *cycle[: start + 1]]))
    return sorted(cycles)


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def layer_violations(relative: str, imports: Iterable[InternalImport]) -> list[str]:
    """The imports (`line N: module`) that the layer of the file at `relative` may not make.

    Annotation-only imports count too: a layer that names a higher layer's types depends on it.
    """
    forbidden = [m for place, ms in FORBIDDEN.items() if relative.startswith(place) for m in ms]
    if not relative.startswith(CLI_IMPORTERS):
        forbidden.append("orchestrator.cli")
    confined = [ms for place, ms in CONFINED.items() if relative.startswith(place)]
    return [
        f"line {found.line}: {found.target}"
        for found in imports
        if any(_within(found.target, m) for m in forbidden)
        or any(not any(_within(found.target, m) for m in allowed) for allowed in confined)
    ]


def test_the_walker_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    import boto3\n    from rich.text import Text\n")

    assert imported_roots(module) == {"boto3", "rich"}


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root / "pkg"


def test_the_walker_resolves_internal_imports(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {
            "pkg/__init__.py": "X = 1\n",
            "pkg/sub/__init__.py": "from . import b\n",
            "pkg/sub/b.py": "",
            "pkg/sub/a.py": (
                "from typing import TYPE_CHECKING\n"
                "import os\n"
                "from . import b\n"
                "from .b import thing\n"
                "from .. import X\n"
                "if TYPE_CHECKING:\n"
                "    import pkg.sub\n"
                "def f():\n"
                "    from pkg.sub import b, missing\n"
            ),
        },
    )
    modules = package_modules(package)

    assert sorted(modules) == ["pkg", "pkg.sub", "pkg.sub.a", "pkg.sub.b"]
    assert internal_imports("pkg.sub", modules["pkg.sub"], modules) == [
        InternalImport("pkg.sub.b", 1, False)
    ]
    assert internal_imports("pkg.sub.a", modules["pkg.sub.a"], modules) == [
        InternalImport("pkg.sub.b", 3, False),
        InternalImport("pkg.sub.b", 4, False),
        InternalImport("pkg", 5, False),
        InternalImport("pkg.sub", 7, True),
        InternalImport("pkg.sub.b", 9, False),
        InternalImport("pkg.sub", 9, False),
    ]


def test_the_cycle_finder_reports_a_cycle_through_a_function(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import g\n",
            "pkg/b.py": "def g():\n    from pkg import a\n",
        },
    )

    assert import_cycles(package) == ["pkg.a -> pkg.b -> pkg.a"]


def test_a_type_checking_back_edge_is_no_cycle(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import g\n",
            "pkg/b.py": (
                "import typing\nif typing.TYPE_CHECKING:\n    from pkg.a import A\n"
                "else:\n    import os\n"
            ),
        },
    )

    assert import_cycles(package) == []


@pytest.mark.parametrize(
    ("relative", "target", "wrong"),
    [
        ("orchestrator/engine/deploy.py", "orchestrator.aws.session", True),
        ("orchestrator/engine/deploy.py", "orchestrator.manifest.models", False),
        ("orchestrator/manifest/models.py", "orchestrator.engine", True),
        ("orchestrator/graph.py", "orchestrator.sandbox.state", True),
        ("orchestrator/aws/session.py", "orchestrator.cli.app", True),
        ("orchestrator/packaging/build.py", "orchestrator.cli", True),
        ("orchestrator/__main__.py", "orchestrator.cli", False),
        ("orchestrator/cli/app.py", "orchestrator.cli.deploy", False),
        ("orchestrator/sandbox/server.py", "orchestrator.manifest.models", True),
        ("orchestrator/sandbox/server.py", "orchestrator", True),
        ("orchestrator/sandbox/server.py", "orchestrator.errors", False),
        ("orchestrator/sandbox/fixes/x.py", "orchestrator.sandbox.settings", False),
    ],
)
def test_the_layer_rules_catch_a_wrong_import(relative: str, target: str, wrong: bool) -> None:
    found = InternalImport(target, 3, annotation_only=True)

    assert layer_violations(relative, [found]) == ([f"line 3: {target}"] if wrong else [])


def test_every_layer_rule_names_a_place_that_exists() -> None:
    places = [*FORBIDDEN, *CONFINED, *CLI_IMPORTERS]

    assert [place for place in places if not (REPO / place).exists()] == []


@pytest.mark.parametrize("path", python_files(PACKAGE), ids=lambda p: str(p.relative_to(REPO)))
def test_libraries_are_imported_only_by_their_layer(path: Path) -> None:
    relative = path.relative_to(REPO).as_posix()
    wrong = {
        library
        for library in imported_roots(path) & set(OWNERS)
        if not relative.startswith(OWNERS[library])
    }

    assert not wrong, f"{relative} imports {sorted(wrong)}; see STYLE.md for the layering"


MODULES = package_modules(PACKAGE)


@pytest.mark.parametrize("module", sorted(MODULES), ids=lambda m: str(MODULES[m].relative_to(REPO)))
def test_layers_import_only_the_layers_below_them(module: str) -> None:
    relative = MODULES[module].relative_to(REPO).as_posix()
    wrong = layer_violations(relative, internal_imports(module, MODULES[module], MODULES))

    assert not wrong, f"{relative} imports {wrong}; see STYLE.md rule 1 for the layering"


def test_the_orchestrator_has_no_import_cycles() -> None:
    cycles = import_cycles(PACKAGE)

    assert not cycles, "import cycles (break them by moving the shared piece down a layer):\n" + (
        "\n".join(cycles)
    )


def test_lambda_sources_never_import_the_orchestrator() -> None:
    offenders = [
        p.relative_to(REPO).as_posix()
        for p in python_files(REPO / "lambdas")
        if "orchestrator" in imported_roots(p)
    ]

    assert offenders == []


def test_graph_and_help_load_neither_aws_nor_lint_nor_networkx() -> None:
    """The floor under every command: `firefly graph` answers in well under 0.3 s only while
    it loads none of these (networkx alone takes 0.2 s to import, multiprocessing 0.03 s),
    nor rich for JSON."""
    heavy = "('boto3', 'botocore', 'moto', 'cfnlint', 'networkx', 'multiprocessing', 'rich')"
    probe = (
        "import sys\n"
        "from orchestrator.cli import run\n"
        f"assert run(['graph', '--format', 'json', '--manifest', {str(MANIFEST)!r}]) == 0\n"
        f"print('loaded:', sorted(m for m in {heavy} if m in sys.modules))\n"
        "assert run(['--help']) == 0\n"
        f"print('loaded:', sorted(m for m in {heavy} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    loaded = [line for line in result.stdout.splitlines() if line.startswith("loaded:")]

    assert loaded == ["loaded: []", "loaded: ['rich']"]  # typer draws the help with rich
