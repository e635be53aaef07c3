"""The checks a manifest must pass, in tiers, so that further checks slot in.

Every command runs the structural tier (the graphs must be acyclic to be ordered at all);
`firefly validate` runs every tier on every workflow; deploy, plan and delete run every tier on
the workflows they selected before their first AWS call (`check_selected`), unless told to skip
it. A check is any callable from the manifest and a `Scope` to problems; template checks
(parameters declared, outputs exist, Lambda sources compile, cfn-lint) join `FULL_CHECKS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from orchestrator.errors import ManifestError, Problem
from orchestrator.graph import cycle_problems, delete_graph, deploy_graph
from orchestrator.manifest import Manifest, environment, read_manifest
from orchestrator.manifest.sources import unset_sources
from orchestrator.templates import EVERY_WORKFLOW, TEMPLATE_CHECKS, Scope
from orchestrator.templates.stacks import reading_once

Check = Callable[[Manifest, Scope], Iterable[Problem]]


def check_graphs(manifest: Manifest, scope: Scope = EVERY_WORKFLOW) -> Iterator[Problem]:
    """No cycle in either graph: checked whole, whatever the scope, since a cycle anywhere
    leaves the graph without an order to select from."""
    deploy = deploy_graph(manifest)
    deploy_cycles = cycle_problems(manifest, deploy)
    yield from deploy_cycles
    if not deploy_cycles:  # the delete graph reverses the deploy graph: same cycle, reported once
        yield from cycle_problems(manifest, delete_graph(manifest, deploy))


STRUCTURAL_CHECKS: tuple[Check, ...] = (check_graphs,)
FULL_CHECKS: tuple[Check, ...] = (*STRUCTURAL_CHECKS, *TEMPLATE_CHECKS)


def load_checked(path: Path, checks: Sequence[Check] = STRUCTURAL_CHECKS) -> Manifest:
    """The manifest at `path` once it passes `checks`; otherwise every problem at once."""
    manifest, problems = read_manifest(path)
    if manifest is not None:
        with reading_once():
            for check in checks:
                problems.extend(check(manifest, EVERY_WORKFLOW))
    if problems or manifest is None:
        raise ManifestError(problems)
    return manifest


def check_selected(manifest: Manifest, workflows: Iterable[str]) -> None:
    """Raise with every problem `firefly validate` finds in `workflows`, the ones a deploy, plan
    or delete selected (and whatever templates their checks read, such as their producers').

    The structural tier already ran when the manifest was loaded.
    """
    scope = Scope(frozenset(workflows))
    with reading_once():
        problems = [
            problem
            for check in FULL_CHECKS
            if check not in STRUCTURAL_CHECKS
            for problem in check(manifest, scope)
        ]
    if problems:
        raise ManifestError(problems)


def check_environment(manifest: Manifest, name: str, environ: Mapping[str, str]) -> None:
    """Raise unless `name` is declared and every var and secret it needs is set, each secret
    long enough to be masked in output."""
    from orchestrator.engine.redaction import environment_redactor

    env = environment(manifest, name)
    problems = list(unset_sources(manifest, env, environ))
    if problems:
        raise ManifestError(problems)
    environment_redactor(manifest, name, environ)  # refuses a secret too short to mask
