"""Build a function or layer folder into its zip, once per content (a cache keyed by a hash).

A function's `requirements.txt` is installed the way `sam build` does it, through
aws-lambda-builders' python_pip workflow (Lambda-compatible manylinux wheels for the target
runtime and architecture); one with no requirement needs no pip run, and neither does a layer,
which is zipped as its folder is (lambdas/shared already has the `python/` layout).
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from orchestrator.errors import OrchestratorError
from orchestrator.packaging.archive import BYTECODE, sha256_hex, tree_hash, zip_folder

# The target every function of the project runs on (their templates say python3.11, x86_64).
RUNTIME = "python3.11"
ARCHITECTURE = "x86_64"
# Part of every cache key: changing how zips are made must not reuse zips made the old way.
BUILD_FORMAT = "firefly-zip-1"
# Relative to the manifest's folder; `.firefly/` is git-ignored.
CACHE_FOLDER = Path(".firefly") / "build"
REQUIREMENTS = "requirements.txt"


class PackagingError(OrchestratorError):
    """A source folder cannot be built or packaged (missing, or its requirements fail)."""


@dataclass(frozen=True)
class BuiltZip:
    """A folder's zip in the build cache; `cached` when an earlier build was reused."""

    source: Path
    path: Path
    sha256: str
    size: int
    cached: bool


def cache_dir_for(root: Path) -> Path:
    """The default build cache of a project whose manifest lives in `root`."""
    return root / CACHE_FOLDER


def has_requirements(requirements: Path) -> bool:
    """Whether a requirements file asks for anything (comments and blank lines do not)."""
    if not requirements.is_file():
        return False
    lines = requirements.read_text(encoding="utf-8").splitlines()
    return any(line.strip() and not line.strip().startswith("#") for line in lines)


@cache
def source_excludes() -> tuple[str, ...]:
    """The names `sam build` leaves out of a function's sources (.git, .venv, *.so, bytecode...).

    Read from aws-lambda-builders itself, which applies them when it copies the sources of a
    pip build, so a function zips the same with or without a pip run.
    """
    from aws_lambda_builders.workflows.python_pip.workflow import (  # type: ignore[import-untyped, unused-ignore]
        PythonPipWorkflow,
    )

    return (*BYTECODE, *PythonPipWorkflow.EXCLUDED_FILES)


def build_folder(source: Path, cache_dir: Path, *, layer: bool = False) -> BuiltZip:
    """The reproducible zip of `source`, built unless the cache holds one for the same content.

    The cache key covers every file that goes in (requirements.txt included), so editing a
    handler or a requirement rebuilds. As with `sam build --cached`, an unpinned requirement is
    not re-resolved while the folder is unchanged.
    """
    if not source.is_dir():
        raise PackagingError(
            f"{source}: not a folder; CodeUri/ContentUri must name the "
            "folder of a function's sources"
        )
    pip = not layer and has_requirements(source / REQUIREMENTS)
    excludes = BYTECODE if layer else source_excludes()
    kind = "layer" if layer else ("pip" if pip else "function")
    key = tree_hash(source, excludes, salt=f"{BUILD_FORMAT}:{RUNTIME}:{ARCHITECTURE}:{kind}")
    path = cache_dir / f"{key}.zip"
    if path.is_file():
        data = path.read_bytes()
        return BuiltZip(source, path, sha256_hex(data), len(data), cached=True)
    data = _pip_build(source, cache_dir) if pip else zip_folder(source, excludes)
    _write_atomically(path, data)
    return BuiltZip(source, path, sha256_hex(data), len(data), cached=False)


def _pip_build(source: Path, cache_dir: Path) -> bytes:
    # Imported here: only a function with requirements needs the builder.
    from aws_lambda_builders.builder import (  # type: ignore[import-untyped, unused-ignore]
        LambdaBuilder,
    )
    from aws_lambda_builders.exceptions import (  # type: ignore[import-untyped, unused-ignore]
        LambdaBuilderError,
    )

    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="work-", dir=cache_dir) as work:
        artifacts = Path(work, "artifacts")
        builder = LambdaBuilder(
            language="python", dependency_manager="pip", application_framework=None
        )
        try:
            builder.build(
                str(source),
                str(artifacts),
                str(Path(work, "scratch")),
                str(source / REQUIREMENTS),
                runtime=RUNTIME,
                architecture=ARCHITECTURE,
                # The builder looks for a python3.11 with pip on PATH; the interpreter running
                # firefly (its venv) is one, and is found first even when PATH lacks the venv.
                executable_search_paths=[str(Path(sys.executable).parent)],
            )
        except LambdaBuilderError as error:
            reason = " ".join(str(error).split())
            raise PackagingError(f"{source}: installing {REQUIREMENTS} failed: {reason}") from error
        # Installed packages may ship .so files and *.egg-info: only bytecode is left out.
        return zip_folder(artifacts, BYTECODE)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write so that a reader (another thread, a later run) never sees a partial zip."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".partial-", suffix=".zip", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
