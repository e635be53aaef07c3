"""cfn-lint, the AWS linter, over every template: errors fail validation, warnings are shown."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrator.cfn_lint_worker import Finding, lint_texts
from orchestrator.disk_cache import entry_path, read_entry, write_entry
from orchestrator.errors import Problem
from orchestrator.manifest import Manifest
from orchestrator.templates.model import Template
from orchestrator.templates.stacks import EVERY_WORKFLOW, Scope, parsed

if TYPE_CHECKING:
    from concurrent.futures import Executor

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class LintResult:
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]


# Below this many templates to lint, starting worker processes (each loading cfn-lint, about
# 1.5 s) costs more than it saves: they are linted in this process.
IN_PROCESS_MAX = 8
# Templates per task sent to a worker: small enough to share the work out evenly at the end.
BATCH = 16

_Key = tuple[Path, str, str, tuple[str, ...]]
_cache: dict[_Key, LintResult] = {}


def lint_templates(templates: Sequence[Template], regions: tuple[str, ...]) -> list[LintResult]:
    """cfn-lint's findings on each of `templates` for `regions`, in order.

    Results are also kept on disk, keyed by cfn-lint's version, the regions and the template
    text: most templates do not change between two runs of `firefly validate`. The ones not
    linted before are linted together, over every core when there are many. The results of
    the whole set are kept together too: the next run of the same templates reads one file,
    not one per template.
    """
    keys = [(t.path, t.display, t.text, regions) for t in templates]
    unknown = {key: t for key, t in zip(keys, templates, strict=True) if key not in _cache}
    if unknown:
        together = _together_path(list(unknown.values()), regions)
        if not _read_together(together, unknown):
            _read_each_or_lint(unknown, regions)
            write_entry(together, json.dumps([_data(_cache[key]) for key in unknown]).encode())
    return [_cache[key] for key in keys]


def _read_each_or_lint(templates: dict[_Key, Template], regions: tuple[str, ...]) -> None:
    pending = {}
    for key, template in templates.items():
        stored = _read_stored(_disk_path(template, regions), template.display)
        if stored is None:
            pending[key] = template
        else:
            _cache[key] = stored
    if pending:
        linted = _run_cfn_lint([t.text for t in pending.values()], regions)
        for (key, template), findings in zip(pending.items(), linted, strict=True):
            _cache[key] = _result(template, findings)
            write_entry(_disk_path(template, regions), json.dumps(_data(_cache[key])).encode())


@cache
def cfn_lint_version() -> str:
    """The installed cfn-lint's version, read once per run: it is part of every cache key."""
    from importlib.metadata import version

    return version("cfn-lint")


def _disk_path(template: Template, regions: tuple[str, ...]) -> Path:
    """Keyed by what cfn-lint reads (the text, the regions) and its version, not by where the
    template lies: the same template in another checkout is not linted again."""
    version, regions_key = cfn_lint_version(), ",".join(regions)
    return entry_path("cfn-lint", version, regions_key, template.text, suffix=".json")


def _together_path(templates: list[Template], regions: tuple[str, ...]) -> Path:
    texts = [template.text for template in templates]
    version, regions_key = cfn_lint_version(), ",".join(regions)
    return entry_path("cfn-lint-sets", version, regions_key, *texts, suffix=".json")


def _read_together(path: Path, templates: dict[_Key, Template]) -> bool:
    """Fill the results of `templates` from the set stored at `path`; False when there is none."""
    try:
        stored = json.loads(read_entry(path) or b"")
        pairs = zip(stored, templates.values(), strict=True)  # another count: ValueError
        results = [_from_data(data, template.display) for data, template in pairs]
    except (ValueError, KeyError, TypeError):
        return False  # absent or unreadable: read them one by one
    _cache.update(zip(templates, results, strict=True))
    return True


def _read_stored(path: Path, display: str) -> LintResult | None:
    try:
        return _from_data(json.loads(read_entry(path) or b""), display)
    except (ValueError, KeyError, TypeError):
        return None  # absent or unreadable: lint again


def _from_data(data: dict[str, list[list[Any]]], display: str) -> LintResult:
    return LintResult(
        tuple(Problem(display, *p) for p in data["errors"]),
        tuple(Problem(display, *p) for p in data["warnings"]),
    )


def _data(result: LintResult) -> dict[str, list[list[object]]]:
    return {
        "errors": [_fields(p) for p in result.errors],
        "warnings": [_fields(p) for p in result.warnings],
    }


def _fields(problem: Problem) -> list[object]:
    return [problem.line, problem.field, problem.message]  # the file is the reader's


def _run_cfn_lint(texts: list[str], regions: tuple[str, ...]) -> list[list[Finding]]:
    """cfn-lint's findings on each text: here when few, else in batches over a process pool."""
    if len(texts) <= IN_PROCESS_MAX:
        return lint_texts(texts, regions)
    from concurrent.futures.process import BrokenProcessPool

    batches = [texts[start : start + BATCH] for start in range(0, len(texts), BATCH)]
    workers = min(os.cpu_count() or 1, len(batches))
    try:
        with _process_pool(workers) as pool:
            linted = pool.map(lint_texts, batches, [regions] * len(batches))
            return [findings for batch in linted for findings in batch]
    except (OSError, BrokenProcessPool):
        # No process could be started (a sandbox that forbids it), or one died (out of
        # memory): slower, but the same findings, in this process.
        return lint_texts(texts, regions)


def _process_pool(workers: int) -> Executor:
    """Worker processes, each loading cfn-lint's rules once for all its batches.

    Imported here, not at the top: `multiprocessing` takes 0.03 s to import, a tenth of
    `firefly graph`, and a warm validate (every result on disk) starts no process.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: a deploy may have threads running, which a forked child would inherit
    # half-way through.
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def _result(template: Template, findings: list[Finding]) -> LintResult:
    errors, warnings = [], []
    for rule_id, line, message in findings:
        problem = Problem(template.display, line, f"cfn-lint {rule_id}", message)
        # E: errors (and E0000, a template cfn-lint cannot read); W: warnings; I: not asked for.
        if rule_id.startswith("E"):
            errors.append(problem)
        elif rule_id.startswith("W"):
            warnings.append(problem)
    return LintResult(tuple(errors), tuple(warnings))


def _regions(manifest: Manifest) -> tuple[str, ...]:
    regions = sorted({env.region for env in manifest.environments.values()})
    return tuple(regions) or (DEFAULT_REGION,)


def _results(manifest: Manifest, scope: Scope = EVERY_WORKFLOW) -> list[LintResult]:
    regions = _regions(manifest)  # every environment's: one cache entry serves every command
    return lint_templates([template for _, template in parsed(manifest, scope)], regions)


def check_cfn_lint(manifest: Manifest, scope: Scope = EVERY_WORKFLOW) -> Iterator[Problem]:
    """cfn-lint's errors on every template in scope that parses, each at its template line."""
    for result in _results(manifest, scope):
        yield from result.errors


def template_warnings(manifest: Manifest) -> list[Problem]:
    """cfn-lint's warnings on every template: shown by `firefly validate`, never fatal."""
    return [warning for result in _results(manifest) for warning in result.warnings]
