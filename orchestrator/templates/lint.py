"""cfn-lint, the AWS linter, over every template: errors fail validation, warnings are shown."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from orchestrator.errors import Problem
from orchestrator.manifest import Manifest
from orchestrator.templates.model import Template
from orchestrator.templates.stacks import EVERY_WORKFLOW, Scope, parsed

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class LintResult:
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]


_cache: dict[tuple[Path, str, str, tuple[str, ...]], LintResult] = {}


def lint_template(template: Template, regions: tuple[str, ...]) -> LintResult:
    """cfn-lint's findings on `template` for `regions`, once per template text.

    Results are also kept on disk, keyed by cfn-lint's version, the regions and the template
    text: linting costs about a second per template, and most templates do not change between
    two runs of `firefly validate`.
    """
    key = (template.path, template.display, template.text, regions)
    if key not in _cache:
        stored = _disk_path(template, regions)
        result = _read_stored(stored)
        if result is None:
            result = _run_cfn_lint(template, regions)
            _store(stored, result)
        _cache[key] = result
    return _cache[key]


def _disk_path(template: Template, regions: tuple[str, ...]) -> Path:
    root = os.environ.get("FIREFLY_CACHE_DIR") or Path.home() / ".cache" / "firefly"
    digest = hashlib.sha256(
        "\0".join(
            [version("cfn-lint"), ",".join(regions), template.display, template.text]
        ).encode()
    )
    return Path(root) / "cfn-lint" / f"{digest.hexdigest()}.json"


def _read_stored(path: Path) -> LintResult | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LintResult(
            tuple(Problem(*p) for p in data["errors"]), tuple(Problem(*p) for p in data["warnings"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent or unreadable: lint again


def _store(path: Path, result: LintResult) -> None:
    data = {
        "errors": [_fields(p) for p in result.errors],
        "warnings": [_fields(p) for p in result.warnings],
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        temporary.replace(path)  # atomic: parallel runs never read half a file
    except OSError:
        pass  # a read-only home only costs the next run its speed


def _fields(problem: Problem) -> list[object]:
    return [problem.file, problem.line, problem.field, problem.message]


def _run_cfn_lint(template: Template, regions: tuple[str, ...]) -> LintResult:
    # Imported here: loading cfn-lint and its schemas takes about a second, which only a run
    # with a template not linted before should pay, not every command that imports the checks.
    from cfnlint.api import lint
    from cfnlint.config import ManualArgs

    errors, warnings = [], []
    for match in lint(template.text, config=ManualArgs(regions=list(regions))):
        rule_id = str(match.rule.id)
        problem = Problem(
            template.display, int(match.linenumber), f"cfn-lint {rule_id}", str(match.message)
        )
        # E: errors (and E0000, a template cfn-lint cannot read); W: warnings; I: not asked for.
        if rule_id.startswith("E"):
            errors.append(problem)
        elif rule_id.startswith("W"):
            warnings.append(problem)
    return LintResult(tuple(errors), tuple(warnings))


def _regions(manifest: Manifest) -> tuple[str, ...]:
    regions = sorted({env.region for env in manifest.environments.values()})
    return tuple(regions) or (DEFAULT_REGION,)


def _results(manifest: Manifest, scope: Scope = EVERY_WORKFLOW) -> Iterator[LintResult]:
    regions = _regions(manifest)  # every environment's: one cache entry serves every command
    for _, template in parsed(manifest, scope):
        yield lint_template(template, regions)


def check_cfn_lint(manifest: Manifest, scope: Scope = EVERY_WORKFLOW) -> Iterator[Problem]:
    """cfn-lint's errors on every template in scope that parses, each at its template line."""
    for result in _results(manifest, scope):
        yield from result.errors


def template_warnings(manifest: Manifest) -> list[Problem]:
    """cfn-lint's warnings on every template: shown by `firefly validate`, never fatal."""
    return [warning for result in _results(manifest) for warning in result.warnings]
