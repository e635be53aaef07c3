"""Templates: parsing (JSON or YAML with short-form tags), parameters, call-time validation and the
order in which resources are made."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import yaml

from orchestrator.sandbox.cloudformation import errors
from orchestrator.sandbox.cloudformation.intrinsics import references

PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::Partition",
        "AWS::URLSuffix",
        "AWS::NotificationARNs",
        "AWS::NoValue",
    }
)


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms (`!Ref`, `!GetAtt a.b`, `!Sub`, ...)."""


def _short_form(loader: yaml.SafeLoader, name: str, node: yaml.Node) -> dict[str, Any]:
    """`!Sub x` as `{"Fn::Sub": x}`; `name` is the tag without its `!`."""
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if name == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return (
        {"Ref": value}
        if name == "Ref"
        else {"Condition": value}
        if name == "Condition"
        else {f"Fn::{name}": value}
    )


_Loader.add_multi_constructor("!", _short_form)
# CloudFormation reads YAML 1.1 timestamps as strings (a Version "2012-10-17" stays a string)
_Loader.yaml_implicit_resolvers = {
    key: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse(body: str) -> dict[str, Any]:
    """The template as a dict; a ValidationError when it is neither JSON nor YAML."""
    try:
        parsed = json.loads(body)
    except ValueError:
        try:
            parsed = yaml.load(body, Loader=_Loader)  # a SafeLoader subclass
        except yaml.YAMLError as exc:
            raise errors.validation(f"Template format error: YAML not well-formed. {exc}") from exc
    if not isinstance(parsed, dict):
        raise errors.validation("Template format error: JSON not well-formed.")
    return parsed


def resolve_parameters(
    template: dict[str, Any],
    given: Iterable[dict[str, Any]],
    previous: dict[str, str] | None = None,
) -> dict[str, str]:
    """The value (as given) of every declared parameter: passed, previous, or default."""
    declared: dict[str, Any] = template.get("Parameters") or {}
    values: dict[str, str] = {}
    unknown = []
    for entry in given:
        key = entry["ParameterKey"]
        if key not in declared:
            unknown.append(key)
        elif _is_true(entry.get("UsePreviousValue")):
            if previous is None or key not in previous:
                raise errors.validation(
                    f"Invalid input for parameter key {key}. "
                    "Need to specify either usePreviousValue or a value"
                )
            values[key] = previous[key]
        elif "ParameterValue" in entry:
            values[key] = str(entry["ParameterValue"])
    if unknown:
        raise errors.validation(f"Parameters: [{', '.join(unknown)}] do not exist in the template")
    for key, declaration in declared.items():
        if key not in values and "Default" in (declaration or {}):
            default = declaration["Default"]
            values[key] = ",".join(map(str, default)) if isinstance(default, list) else str(default)
    missing = [key for key in declared if key not in values]
    if missing:
        raise errors.validation(f"Parameters: [{', '.join(missing)}] must have values")
    for key, value in values.items():
        _check_parameter(key, value, declared[key] or {})
    return values


def _is_true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _check_parameter(key: str, value: str, declaration: dict[str, Any]) -> None:
    allowed = declaration.get("AllowedValues")
    if allowed and value not in [str(a) for a in allowed]:
        raise errors.validation(f"Parameter '{key}' must be one of AllowedValues")
    if declaration.get("Type") == "Number":
        try:
            float(value)
        except ValueError:
            raise errors.validation(f"Parameter '{key}' must be a number.") from None


def typed_parameter(
    value: str, declaration: dict[str, Any], ssm_lookup: Callable[[str], str]
) -> Any:
    """A parameter's value as templates see it: lists split, SSM parameter types looked up."""
    kind = str(declaration.get("Type", "String"))
    if kind.startswith("AWS::SSM::Parameter::Value<"):
        value = ssm_lookup(value)
        kind = kind[len("AWS::SSM::Parameter::Value<") : -1]
    if kind == "CommaDelimitedList" or kind.startswith("List<"):
        return [part.strip() for part in value.split(",")] if value else []
    return value


def validate(template: dict[str, Any], has_attribute: Callable[[str, str], bool | None]) -> None:
    """What CloudFormation rejects on the call itself, before any stack exists.

    `has_attribute(resource_type, attribute)` is None for types whose attributes are unknown.
    """
    resources = template.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise errors.validation(
            "Template format error: At least one Resources member must be defined."
        )
    known = set(resources) | set(template.get("Parameters") or {}) | PSEUDO_PARAMETERS
    for block in ("Resources", "Outputs"):
        section = template.get(block) or {}
        missing = sorted(references(section) - known)
        if block == "Resources":
            missing += sorted(_missing_depends_on(resources) - set(missing))
        if missing:
            raise errors.validation(
                f"Template format error: Unresolved resource dependencies "
                f"[{', '.join(missing)}] in the {block} block of the template"
            )
    for logical_id, attribute in _get_atts(template):
        kind = (resources[logical_id] or {}).get("Type", "")
        if has_attribute(kind, attribute) is False:
            raise errors.validation(
                f"Template error: resource {logical_id} does not support "
                f"attribute type {attribute} in Fn::GetAtt"
            )
    creation_order(resources)


def _missing_depends_on(resources: dict[str, Any]) -> set[str]:
    return {
        name
        for definition in resources.values()
        for name in _depends_on(definition)
        if name not in resources
    }


def _depends_on(definition: Any) -> list[str]:
    depends = (definition or {}).get("DependsOn") or []
    return [depends] if isinstance(depends, str) else list(depends)


def _get_atts(value: Any) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(value, list):
        for item in value:
            found += _get_atts(item)
    elif isinstance(value, dict):
        for key, argument in value.items():
            if key == "Fn::GetAtt":
                parts = argument.split(".", 1) if isinstance(argument, str) else argument
                if len(parts) == 2 and isinstance(parts[1], str):
                    found.append((parts[0], parts[1]))
            else:
                found += _get_atts(argument)
    return found


def dependencies(resources: dict[str, Any]) -> dict[str, set[str]]:
    """Logical id -> the resources it needs first (references and DependsOn)."""
    return {
        name: ((references(definition) | set(_depends_on(definition))) & set(resources)) - {name}
        for name, definition in resources.items()
    }


def creation_order(resources: dict[str, Any]) -> list[str]:
    """Resources ordered so that each comes after what it needs; template order otherwise."""
    needs = dependencies(resources)
    order: list[str] = []
    remaining = list(resources)
    while remaining:
        ready = [name for name in remaining if needs[name] <= set(order)]
        if not ready:
            raise errors.validation(
                f"Circular dependency between resources: [{', '.join(sorted(remaining))}]"
            )
        order += ready
        remaining = [name for name in remaining if name not in ready]
    return order
