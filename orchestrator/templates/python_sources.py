"""The Python sources of every Lambda compile: a syntax error is found before the deploy, not
at the function's first cold start.

Lambda imports the handler's module in the Init phase ("Function init: run the function's static
code", https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html), so a syntax
error anywhere it imports deploys fine and fails every invocation (Runtime.UserCodeSyntaxError).
A layer's `python/` folder is on the same import path
(https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html), so layers are compiled too.
The grammar is this interpreter's (3.11, the runtime of this project's functions). A file that
compiled is remembered by its bytes and the grammar (`disk_cache`): a warm validate compiles none.
"""

from __future__ import annotations

import hashlib
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

from orchestrator.disk_cache import entry_path, read_entry, write_entry
from orchestrator.errors import Problem
from orchestrator.manifest import Manifest, display_path
from orchestrator.templates.checks import source_folders
from orchestrator.templates.stacks import EVERY_WORKFLOW, Scope

# Part of every remembered compile: the grammar of this interpreter's version.
GRAMMAR = f"{sys.version_info.major}.{sys.version_info.minor}"


def check_python_syntax(manifest: Manifest, scope: Scope = EVERY_WORKFLOW) -> Iterator[Problem]:
    """Every `.py` file a Lambda zip of `scope` ships compiles, each error at its file:line."""
    # Imported here: the packaging package (zips, builds) would otherwise load with every
    # command that checks the manifest, `firefly graph` included.
    from orchestrator.packaging.archive import folder_entries

    for folder in source_folders(manifest, scope):
        for entry in folder_entries(folder):  # the files the zip holds, bytecode left out
            if entry.path.suffix == ".py":
                problem = syntax_problem(entry.path)
                if problem is not None:
                    yield problem


def syntax_problem(path: Path) -> Problem | None:
    """The first syntax error of the Python file at `path`, or None; writes no bytecode."""
    display = display_path(path)
    try:
        source = path.read_bytes()  # bytes: compile() honours a PEP 263 coding line
    except OSError as error:
        return Problem(display, 0, "", f"cannot be read: {error.strerror}")
    compiled = entry_path(
        "python-syntax", GRAMMAR, hashlib.sha256(source).hexdigest(), suffix=".ok"
    )
    if read_entry(compiled) is not None:
        return None
    problem = _compile_problem(source, path, display)
    if problem is None:
        write_entry(compiled, b"")
    return problem


def _compile_problem(source: bytes, path: Path, display: str) -> Problem | None:
    try:
        with warnings.catch_warnings():
            # A SyntaxWarning (an invalid escape such as "\d") is legal code that the runtime
            # runs; under `-W error` compile() would raise it as a SyntaxError.
            warnings.simplefilter("ignore")
            # dont_inherit: this module's `from __future__ import annotations` is not theirs.
            compile(source, str(path), "exec", dont_inherit=True)
    except SyntaxError as error:
        return Problem(display, error.lineno or 0, "", f"Python syntax error: {error.msg}")
    except ValueError as error:  # a null byte: Python 3.11 raises ValueError, not SyntaxError
        return Problem(display, 0, "", f"Python syntax error: {error}")
    return None
