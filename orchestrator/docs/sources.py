"""How a parameter's source reads in prose, and which upstream outputs a workflow looks up."""

from __future__ import annotations

from orchestrator.manifest.models import (
    EnvRef,
    LiteralValue,
    Manifest,
    OutputRef,
    ParameterSource,
    SecretRef,
    VarRef,
    Workflow,
)

_ENV_WORDS = {"name": "target environment", "region": "target region", "account": "target account"}


def describe_source(manifest: Manifest, source: ParameterSource) -> str:
    match source:
        case OutputRef(workflow, key):
            return f"output `{key}` of `{manifest.stack_name(workflow)}`"
        case VarRef(name):
            return f"from vars: `{name}`"
        case SecretRef(name):
            return f"from secrets: `{name}`"
        case EnvRef(attribute):
            return _ENV_WORDS[attribute]
        case LiteralValue(value):
            return f"`{value}`"


def output_lookups(workflow: Workflow) -> dict[str, list[str]]:
    """Upstream workflow → the output keys this workflow reads from its stack, in order."""
    lookups: dict[str, list[str]] = {}
    for _, ref in workflow.output_refs():
        keys = lookups.setdefault(ref.workflow, [])
        if ref.key not in keys:
            keys.append(ref.key)
    return lookups


def code_list(names: list[str]) -> str:
    """`a`, `a` and `b`, `a`, `b` and `c`."""
    quoted = [f"`{name}`" for name in names]
    if len(quoted) < 3:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]
