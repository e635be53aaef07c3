"""Intrinsic functions, resolved eagerly against what already exists.

moto resolves a `Ref` by creating the referenced resource on the spot; here a reference to a
resource that is not made yet is an error, because the operations create resources in dependency
order and record an event for each.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from orchestrator.sandbox.cloudformation.model import Resource


class ResolveError(Exception):
    """A template value that cannot be resolved; its message is the CloudFormation reason."""


class _NoValue:
    """`AWS::NoValue`: the property (or list item) is dropped."""


NO_VALUE = _NoValue()
SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


@dataclass
class Context:
    """What a template value can refer to."""

    parameters: dict[str, Any]  # declared parameters and pseudo parameters, resolved
    mappings: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, bool] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)
    exports: dict[str, tuple[str, str]] = field(default_factory=dict)
    # (resource, attribute) -> value; supplied by the resource handlers
    attribute: Callable[[Resource, str], Any] = lambda resource, name: None
    region: str = "us-east-1"


def resolve(value: Any, ctx: Context) -> Any:
    """`value` with every intrinsic function replaced by its result."""
    if isinstance(value, list):
        items = [resolve(item, ctx) for item in value]
        return [item for item in items if item is not NO_VALUE]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((key, argument),) = value.items()
        function = FUNCTIONS.get(key)
        if function is not None:
            return function(argument, ctx)
    resolved = {k: resolve(v, ctx) for k, v in value.items()}
    return {k: v for k, v in resolved.items() if v is not NO_VALUE}


def ref(name: Any, ctx: Context) -> Any:
    if not isinstance(name, str):
        name = resolve(name, ctx)
    if name == "AWS::NoValue":
        return NO_VALUE
    if name in ctx.parameters:
        return ctx.parameters[name]
    if name in ctx.resources:
        return ctx.resources[name].physical_id
    raise ResolveError(f"Unresolved resource dependencies [{name}] in the Resources block")


def get_att(argument: Any, ctx: Context) -> Any:
    if isinstance(argument, str):
        argument = argument.split(".", 1)
    name, attribute = argument[0], resolve(argument[1], ctx)
    resource = ctx.resources.get(name)
    if resource is None:
        raise ResolveError(
            f"Template error: instance of Fn::GetAtt references undefined resource {name}"
        )
    return ctx.attribute(resource, attribute)


def sub(argument: Any, ctx: Context) -> str:
    text, variables = (argument, {}) if isinstance(argument, str) else argument
    values = {k: resolve(v, ctx) for k, v in variables.items()}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        if name in values:
            return str(values[name])
        if "." in name and name.split(".", 1)[0] in ctx.resources:
            return str(get_att(name.split(".", 1), ctx))
        return str(ref(name, ctx))

    return SUB_VARIABLE.sub(replace, resolve(text, ctx))


def join(argument: Any, ctx: Context) -> str:
    delimiter, items = argument
    return str(delimiter).join(str(item) for item in resolve(items, ctx))


def select(argument: Any, ctx: Context) -> Any:
    index, items = resolve(argument, ctx)
    return items[int(index)]


def split(argument: Any, ctx: Context) -> list[str]:
    delimiter, text = argument
    return str(resolve(text, ctx)).split(delimiter)


def if_(argument: Any, ctx: Context) -> Any:
    name, when_true, when_false = argument
    return resolve(when_true if ctx.conditions.get(name) else when_false, ctx)


def equals(argument: Any, ctx: Context) -> bool:
    left, right = resolve(argument, ctx)
    return str(left) == str(right)


def condition(name: Any, ctx: Context) -> bool:
    return bool(ctx.conditions.get(name))


def find_in_map(argument: Any, ctx: Context) -> Any:
    map_name, top, second = (resolve(part, ctx) for part in argument[:3])
    try:
        return ctx.mappings[map_name][top][second]
    except (KeyError, TypeError) as missing:
        raise ResolveError(
            f"Template error: Unable to get mapping for {map_name}::{top}::{second}"
        ) from missing


def import_value(argument: Any, ctx: Context) -> Any:
    name = resolve(argument, ctx)
    if name not in ctx.exports:
        raise ResolveError(f"No export named {name} found.")
    return ctx.exports[name][0]


def get_azs(argument: Any, ctx: Context) -> list[str]:
    region = resolve(argument, ctx) or ctx.region
    return [f"{region}{zone}" for zone in "abc"]


FUNCTIONS: dict[str, Callable[[Any, Context], Any]] = {
    "Ref": ref,
    "Fn::GetAtt": get_att,
    "Fn::Sub": sub,
    "Fn::Join": join,
    "Fn::Select": select,
    "Fn::Split": split,
    "Fn::If": if_,
    "Fn::Equals": equals,
    "Fn::And": lambda arg, ctx: all(resolve(arg, ctx)),
    "Fn::Or": lambda arg, ctx: any(resolve(arg, ctx)),
    "Fn::Not": lambda arg, ctx: not resolve(arg, ctx)[0],
    "Condition": condition,
    "Fn::FindInMap": find_in_map,
    "Fn::ImportValue": import_value,
    "Fn::Base64": lambda arg, ctx: base64.b64encode(str(resolve(arg, ctx)).encode()).decode(),
    "Fn::GetAZs": get_azs,
    "Fn::ToJsonString": lambda arg, ctx: json.dumps(resolve(arg, ctx), separators=(",", ":")),
    "Fn::Length": lambda arg, ctx: len(resolve(arg, ctx)),
}


def evaluate_conditions(template: dict[str, Any], ctx: Context) -> dict[str, bool]:
    """Every condition of the template, in any order of definition."""
    definitions = template.get("Conditions") or {}
    done: dict[str, bool] = {}

    def evaluate(name: str, seen: tuple[str, ...]) -> bool:
        if name in done:
            return done[name]
        if name in seen or name not in definitions:
            raise ResolveError(f"Template format error: Unresolved condition {name}")
        inner = Context(
            ctx.parameters, ctx.mappings, _Conditions(evaluate, (*seen, name)), region=ctx.region
        )
        done[name] = bool(resolve(definitions[name], inner))
        return done[name]

    for name in definitions:
        evaluate(name, ())
    return done


class _Conditions(dict[str, bool]):
    """A lazily evaluated condition map, so that conditions may refer to later ones."""

    def __init__(
        self, evaluate: Callable[[str, tuple[str, ...]], bool], seen: tuple[str, ...]
    ) -> None:
        super().__init__()
        self._evaluate, self._seen = evaluate, seen

    def get(self, key: str, default: Any = None) -> Any:
        return self._evaluate(key, self._seen)


def references(value: Any) -> set[str]:
    """The logical ids and parameter names `value` refers to (Ref, GetAtt, Sub)."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= references(item)
    elif isinstance(value, dict):
        for key, argument in value.items():
            if key == "Ref" and isinstance(argument, str):
                found.add(argument)
            elif key == "Fn::GetAtt":
                target = argument.split(".", 1)[0] if isinstance(argument, str) else argument[0]
                found.add(target)
            elif key == "Fn::Sub":
                found |= _sub_references(argument)
            else:
                found |= references(argument)
    return found


def _sub_references(argument: Any) -> set[str]:
    text, variables = (argument, {}) if isinstance(argument, str) else argument
    found = references(variables)
    if isinstance(text, str):
        for name in SUB_VARIABLE.findall(text):
            if not name.startswith("!") and name not in variables:
                found.add(name.split(".", 1)[0])
    else:
        found |= references(text)
    return found
