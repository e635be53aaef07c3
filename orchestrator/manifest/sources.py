"""Where parameter values come from, for the sources that need no AWS call."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from orchestrator.errors import Problem
from orchestrator.manifest.models import (
    Environment,
    EnvRef,
    LiteralValue,
    Manifest,
    OutputRef,
    ParameterSource,
    SecretRef,
    VarRef,
)


def resolve_static(
    source: ParameterSource, env: Environment, environ: Mapping[str, str]
) -> str | None:
    """The value of a var, secret, env or literal source; None when it is not set.

    Output sources need the upstream stack and are resolved by the deploy engine.
    """
    match source:
        case VarRef(name):
            return environ.get(name, env.vars.get(name))
        case SecretRef(name):
            if name in environ:
                return environ[name]
            # Literal secrets exist only for sandbox environments (the loader refuses others).
            return env.secrets.get(name) if env.sandbox else None
        case EnvRef("name"):
            return env.name
        case EnvRef("region"):
            return env.region
        case EnvRef("account"):
            return env.account
        case LiteralValue(value):
            return value
        case OutputRef() | EnvRef():
            return None


def unset_sources(
    manifest: Manifest, env: Environment, environ: Mapping[str, str]
) -> Iterator[Problem]:
    """A problem for every var or secret that a deploy to `env` would find unset."""
    for workflow in manifest.workflows.values():
        for parameter in workflow.parameters:
            source = parameter.source
            if not isinstance(source, VarRef | SecretRef):
                continue
            if resolve_static(source, env, environ) is not None:
                continue
            field = f"workflows.{workflow.name}.parameters.{parameter.name}"
            if isinstance(source, VarRef):
                hint = f"add it under environments.{env.name}.vars or export {source.name}"
                message = f"var {source.name} is not set for environment {env.name}; {hint}"
            else:
                hint = f"export {source.name} (in GitHub Actions: an environment secret)"
                message = f"secret {source.name} is not set for environment {env.name}; {hint}"
            yield Problem(manifest.display, parameter.line, field, message)
