"""The Python sources of functions and layers compile, each error at its file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from orchestrator.templates import check_python_syntax
from tests.templates.conftest import FUNC, MANIFEST, Project, lines_of

LAYER = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: ../../lambdas/shared
"""
LAYER_WORKFLOW = """
  layer:
    type: sam
    template: stacks/layer/template.yaml
    description: The layer
"""


def write(path: str, text: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text, encoding="utf-8")


def test_sources_that_compile_pass(project: Project) -> None:
    manifest = project()
    write(
        "lambdas/func/app.py", "from model import Item\n\ndef handler(event, context):\n    pass\n"
    )
    write(
        "lambdas/func/model.py", 'PATTERN = "\\d+"  # an invalid escape: a warning, not an error\n'
    )

    assert list(check_python_syntax(manifest)) == []


def test_a_syntax_error_is_reported_at_its_file_and_line(project: Project) -> None:
    manifest = project()
    write("lambdas/func/handlers/create.py", "import json\n\nprint 'created'\n")

    assert lines_of(check_python_syntax(manifest)) == [
        "lambdas/func/handlers/create.py:3: Python syntax error: Missing parentheses in call to "
        "'print'. Did you mean print(...)?"
    ]


def test_each_file_is_compiled_as_its_own_module(project: Project) -> None:
    manifest = project()
    # Legal only without `from __future__ import annotations`, which the checker itself has.
    write("lambdas/func/app.py", "def outer():\n    def inner(x: (yield)): pass\n")
    write("lambdas/func/late.py", "x = 1\nfrom __future__ import annotations\n")

    assert lines_of(check_python_syntax(manifest)) == [
        "lambdas/func/late.py:2: Python syntax error: from __future__ imports must occur at the "
        "beginning of the file"
    ]


def test_what_the_zip_leaves_out_is_not_compiled_and_nothing_is_written(project: Project) -> None:
    manifest = project()
    write("lambdas/func/__pycache__/stale.py", "def (:\n")
    write("lambdas/func/README.txt", "def (:\n")

    assert list(check_python_syntax(manifest)) == []
    assert sorted(p.name for p in Path("lambdas/func").rglob("*")) == [
        "README.txt",
        "__pycache__",
        "app.py",
        "stale.py",
    ]


def test_a_layers_sources_are_compiled_too(project: Project) -> None:
    manifest = project(MANIFEST + LAYER_WORKFLOW, lambdas=("func", "shared"), layer=LAYER)
    write("lambdas/shared/python/shared/http.py", "def respond(:\n")

    assert lines_of(check_python_syntax(manifest)) == [
        "lambdas/shared/python/shared/http.py:1: Python syntax error: invalid syntax"
    ]


def test_a_code_uri_that_is_no_folder_is_left_to_check_code_uris(project: Project) -> None:
    manifest = project(func=FUNC.replace("../../lambdas/func", "../../lambdas/missing"))

    assert list(check_python_syntax(manifest)) == []


def test_a_file_that_is_not_text_is_a_syntax_error(project: Project) -> None:
    manifest = project()
    Path("lambdas/func/app.py").write_bytes(b"x = 1\x00\n")

    problems = list(check_python_syntax(manifest))

    assert [(p.file, p.field) for p in problems] == [("lambdas/func/app.py", "")]
    assert problems[0].message.startswith("Python syntax error: ")


def test_a_file_that_compiled_is_not_compiled_again_until_it_changes(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import orchestrator.templates.python_sources as python_sources

    monkeypatch.setenv("FIREFLY_CACHE_DIR", str(tmp_path / "cache"))
    manifest = project()
    write("lambdas/func/app.py", "def handler(event, context):\n    pass\n")
    assert list(check_python_syntax(manifest)) == []
    compiled: list[str] = []
    real_compile = compile

    def counted(source: bytes, filename: str, *args: Any, **kwargs: Any) -> object:
        compiled.append(Path(filename).name)
        return real_compile(source, filename, *args, **kwargs)

    monkeypatch.setattr(python_sources, "compile", counted, raising=False)

    assert list(check_python_syntax(manifest)) == []
    assert compiled == []
    write("lambdas/func/app.py", "def handler(event, context):\n    return (\n")
    assert lines_of(check_python_syntax(manifest)) == [
        "lambdas/func/app.py:2: Python syntax error: '(' was never closed"
    ]
    assert compiled == ["app.py"]
