"""The one redactor of a run: every text firefly shows or writes passes through it.

It is built once, from the secret values of the run's environment, before the first AWS call:
progress lines, stack events and failure reasons, results, the JSON report, GitHub's step
summary and outputs, plan notes, stack outputs and errors are all masked by the same object.

Matching is on the value as a whole, anywhere in a text (a bucket ARN embeds a secret bucket
name), also in its URL-encoded form (AWS messages quote resource URLs). A value shorter than
`SHORTEST_SECRET` is refused instead: masking every occurrence of a two-letter secret would
garble every word that contains it, and would tell the reader the secret besides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from urllib.parse import quote

from orchestrator.engine.results import RunResult, WorkflowResult
from orchestrator.errors import UsageError
from orchestrator.manifest import environment
from orchestrator.manifest.models import Manifest, SecretRef
from orchestrator.manifest.sources import resolve_static

MASK = "***"
SHORTEST_SECRET = 8


class Redactor:
    """Replaces every secret value in a text by `MASK`, longest value first."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self.values = tuple(sorted({v for v in values if v}, key=len, reverse=True))
        forms = {form for value in self.values for form in (value, quote(value, safe=""))}
        ordered = sorted(forms, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __call__(self, text: str) -> str:
        return self._pattern.sub(MASK, text) if self._pattern else text

    def mapping(self, values: Mapping[str, str]) -> dict[str, str]:
        return {key: self(value) for key, value in values.items()}

    def result(self, result: WorkflowResult) -> WorkflowResult:
        """A workflow's result as it may be shown: outputs derived from a secret (a bucket ARN
        naming a secret bucket) and errors quoting one carry the mask instead."""
        error = self(result.error) if result.error else result.error
        return replace(result, outputs=self.mapping(result.outputs), error=error)

    def run(self, run: RunResult) -> RunResult:
        results = {name: self.result(result) for name, result in run.results.items()}
        aborted = self(run.aborted) if run.aborted else run.aborted
        return replace(run, results=results, aborted=aborted)


def secret_names(manifest: Manifest) -> list[str]:
    return sorted(
        {
            p.source.name
            for w in manifest.workflows.values()
            for p in w.parameters
            if isinstance(p.source, SecretRef)
        }
    )


def environment_redactor(manifest: Manifest, env_name: str, environ: Mapping[str, str]) -> Redactor:
    """The redactor of a run in `env_name`; refuses a secret too short to be masked."""
    env = environment(manifest, env_name)
    values = []
    for name in secret_names(manifest):
        value = resolve_static(SecretRef(name), env, environ)
        if value and len(value) < SHORTEST_SECRET:
            where = (
                "the process environment"
                if name in environ
                else f"{manifest.display} environments.{env.name}.secrets"
            )
            raise UsageError(
                f"secret {name} of environment {env.name} (from {where}) is shorter than "
                f"{SHORTEST_SECRET} characters, too short to be masked in firefly's output; "
                f"give it a value of at least {SHORTEST_SECRET} characters"
            )
        values.append(value or "")
    return Redactor(values)


def manifest_redactor(manifest: Manifest, environ: Mapping[str, str]) -> Redactor:
    """Every environment's secrets at once, for output that belongs to no one environment."""
    return Redactor(
        value
        for env in manifest.environments
        for value in environment_redactor(manifest, env, environ).values
    )
