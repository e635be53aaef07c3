"""The `workflows:` section: each deployable unit, its dependencies and its parameters."""

from __future__ import annotations

import re
from types import MappingProxyType

from orchestrator.manifest.models import (
    Adoption,
    Dependency,
    EnvRef,
    LiteralValue,
    OutputRef,
    Parameter,
    ParameterSource,
    SecretRef,
    VarRef,
    Workflow,
    WorkflowType,
)
from orchestrator.manifest.reader import Reader, join_field
from orchestrator.manifest.yaml_source import Located, LocatedMap

# Workflow names become stack names, mermaid ids and GitHub job ids: keep to what all accept.
NAME = re.compile(r"[a-z][a-z0-9-]*")
NAME_RULE = "lowercase letters, digits and '-', starting with a letter"
LOGICAL_ID = re.compile(r"[A-Za-z0-9]+")
LOGICAL_ID_RULE = "letters and digits only, as CloudFormation logical ids"
VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
OUTPUT = re.compile(r"(?P<workflow>[a-z][a-z0-9-]*)\.(?P<key>[A-Za-z0-9]+)")

KEYS = ("type", "template", "description", "deploy", "delete", "parameters", "adopt")
SOURCES = ("output", "var", "secret", "env")
ENV_ATTRIBUTES = ("name", "region", "account")


def read_workflows(reader: Reader, located: Located) -> dict[str, Workflow]:
    node = reader.mapping(located, "workflows")
    if node is None:
        return {}
    if not node.items:
        reader.problem(located.line, "workflows", "declare at least one workflow")
    reader.names(node, "workflows", NAME, NAME_RULE)
    workflows = {}
    for name, value in node.items.items():
        workflow = _read_workflow(reader, name, value)
        if workflow is not None:
            workflows[name] = workflow
    return workflows


def _read_workflow(reader: Reader, name: str, located: Located) -> Workflow | None:
    field = f"workflows.{name}"
    node = reader.mapping(located, field)
    if node is None:
        return None
    reader.known_keys(node, field, KEYS, required=("type", "description"))
    items = node.items
    kind = None
    if "type" in items:
        kind = reader.choice(items["type"], f"{field}.type", [t.value for t in WorkflowType])
    description = ""
    if "description" in items:
        description = reader.text(items["description"], f"{field}.description") or ""
    template = _read_template(reader, node, field, kind)
    deploy_needs = _read_needs(reader, items.get("deploy"), f"{field}.deploy")
    delete_needs = _read_needs(reader, items.get("delete"), f"{field}.delete")
    if kind == WorkflowType.TESTS and "delete" in items:
        reader.problem(
            items["delete"].line,
            f"{field}.delete",
            "a tests workflow has no stack, so nothing to delete; remove 'delete'",
        )
    adopt = _read_adopt(reader, items.get("adopt"), f"{field}.adopt", kind)
    if kind is None:
        return None
    return Workflow(
        name=name,
        type=WorkflowType(kind),
        description=description,
        template=template,
        deploy_needs=deploy_needs,
        delete_needs=delete_needs,
        parameters=_read_parameters(reader, items.get("parameters"), f"{field}.parameters"),
        adopt=adopt,
        line=located.line,
    )


def _read_template(reader: Reader, node: LocatedMap, field: str, kind: str | None) -> str | None:
    located = node.items.get("template")
    if kind == WorkflowType.TESTS:
        if located is not None:
            reader.problem(
                located.line,
                f"{field}.template",
                "a tests workflow runs a test suite and has no template; remove it",
            )
        return None
    if located is None:
        if kind is not None:
            reader.problem(
                node.line,
                field,
                f"missing required key 'template' (a {kind} "
                "workflow deploys a stack from a template)",
            )
        return None
    path = reader.text(located, f"{field}.template")
    if path is not None and (path.startswith("/") or ".." in path.split("/")):
        reader.problem(
            located.line,
            f"{field}.template",
            f"'{path}' must be a path inside the manifest's folder, such as "
            "stacks/<workflow>/template.yaml",
        )
        return None
    return path


def _read_needs(reader: Reader, located: Located | None, field: str) -> tuple[Dependency, ...]:
    if located is None:
        return ()
    node = reader.mapping(located, field)
    if node is None:
        return ()
    reader.known_keys(node, field, ("needs",), required=("needs",))
    if "needs" not in node.items:
        return ()
    needs = reader.mapping(node.items["needs"], f"{field}.needs")
    if needs is None:
        return ()
    dependencies = []
    for name, value in needs.items.items():
        reason = reader.text(value, f"{field}.needs.{name}")
        if reason is not None:
            dependencies.append(Dependency(name, reason, needs.key_lines[name]))
    return tuple(dependencies)


def _read_parameters(reader: Reader, located: Located | None, field: str) -> tuple[Parameter, ...]:
    if located is None:
        return ()
    node = reader.mapping(located, field)
    if node is None:
        return ()
    reader.names(node, field, LOGICAL_ID, LOGICAL_ID_RULE)
    parameters = []
    for name, value in node.items.items():
        source = _read_source(reader, value, join_field(field, name))
        if source is not None:
            parameters.append(Parameter(name, source, node.key_lines[name]))
    return tuple(parameters)


def _read_source(reader: Reader, located: Located, field: str) -> ParameterSource | None:
    if not isinstance(located.value, LocatedMap):
        text = reader.scalar_text(located, field)
        return LiteralValue(text) if text is not None else None
    node = located.value
    reader.known_keys(node, field, SOURCES)
    present = [key for key in SOURCES if key in node.items]
    if len(present) != 1:
        if not [key for key in node.items if key not in SOURCES]:
            reader.problem(
                located.line,
                field,
                "give exactly one source: "
                "{output: W.Key}, {var: NAME}, {secret: NAME} or {env: name}",
            )
        return None
    kind = present[0]
    value = node.items[kind]
    source_field = f"{field}.{kind}"
    if kind == "output":
        text = reader.text(value, source_field, OUTPUT, "write it as <workflow>.<OutputKey>")
        match = OUTPUT.fullmatch(text) if text else None
        return OutputRef(match["workflow"], match["key"]) if match else None
    if kind == "env":
        attribute = reader.choice(value, source_field, ENV_ATTRIBUTES)
        return EnvRef(attribute) if attribute else None
    name = reader.text(value, source_field, VARIABLE, "an environment variable name")
    if name is None:
        return None
    return VarRef(name) if kind == "var" else SecretRef(name)


def _read_adopt(
    reader: Reader, located: Located | None, field: str, kind: str | None
) -> tuple[Adoption, ...]:
    if located is None:
        return ()
    if kind is not None and kind != WorkflowType.CLOUDFORMATION:
        # The IMPORT path submits the template as written, without firefly's SAM packaging
        # step, so it stays with plain CloudFormation stacks, where data-holding resources live.
        reader.problem(
            located.line,
            field,
            "adopt is only supported for cloudformation "
            "workflows; move the resource to be adopted into a cloudformation stack",
        )
        return ()
    node = reader.mapping(located, field)
    if node is None:
        return ()
    reader.names(node, field, LOGICAL_ID, LOGICAL_ID_RULE)
    adoptions = []
    for logical_id, value in node.items.items():
        identifier = reader.mapping(value, join_field(field, logical_id))
        if identifier is None:
            continue
        if not identifier.items:
            reader.problem(
                value.line,
                join_field(field, logical_id),
                "give the resource identifier, e.g. {TableName: my-table}",
            )
            continue
        values = {}
        for key, item in identifier.items.items():
            text = reader.text(item, f"{field}.{logical_id}.{key}")
            if text is not None:
                values[key] = text
        adoptions.append(Adoption(logical_id, MappingProxyType(values), node.key_lines[logical_id]))
    return tuple(adoptions)
