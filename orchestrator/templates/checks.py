"""Checks of the manifest against its templates: they parse, and agree on parameters and outputs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from orchestrator.errors import Problem
from orchestrator.manifest import Manifest
from orchestrator.manifest.models import SecretRef
from orchestrator.templates.loader import LocatedDict
from orchestrator.templates.model import Template
from orchestrator.templates.stacks import EVERY_WORKFLOW, Scope, key_line, parsed, stack_templates

LAMBDAS = "lambdas"
# SAM resource types whose local source folder firefly zips and uploads, by property.
SOURCE_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}


def _listing(names: list[str]) -> str:
    return ", ".join(names) if names else "none"


def check_templates_parse(manifest: Manifest, scope: Scope = EVERY_WORKFLOW) -> Iterator[Problem]:
    """Every template exists and is a readable YAML mapping (short-form tags included)."""
    for stack in stack_templates(manifest, scope):
        yield from stack.problems


def check_parameters(manifest: Manifest, scope: Scope = EVERY_WORKFLOW) -> Iterator[Problem]:
    """Manifest parameters are declared by the template; required ones are all set."""
    for workflow, template in parsed(manifest, scope):
        declared = template.parameters()
        given = {parameter.name for parameter in workflow.parameters}
        for parameter in workflow.parameters:
            if parameter.name not in declared:
                yield Problem(
                    manifest.display,
                    parameter.line,
                    f"workflows.{workflow.name}.parameters.{parameter.name}",
                    f"{template.display} declares no parameter {parameter.name}; it "
                    f"declares: {_listing(sorted(declared))}",
                )
        missing = [
            name
            for name, (_, has_default) in declared.items()
            if not has_default and name not in given
        ]
        if missing:
            yield Problem(
                manifest.display,
                key_line(manifest, workflow, "parameters"),
                f"workflows.{workflow.name}.parameters",
                f"{template.display} requires {', '.join(missing)} (no Default); "
                "give each a source here",
            )


def check_secret_parameters(manifest: Manifest, scope: Scope = EVERY_WORKFLOW) -> Iterator[Problem]:
    """A parameter fed from `{secret: NAME}` is declared `NoEcho: true`: otherwise
    DescribeStacks returns its value to anyone who may describe the stack.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
    """
    for workflow, template in parsed(manifest, scope):
        declared = template.section("Parameters")
        for parameter in workflow.parameters:
            spec = declared.get(parameter.name)
            if not isinstance(parameter.source, SecretRef) or not isinstance(spec, dict):
                continue
            if str(spec.get("NoEcho")).lower() != "true":
                yield Problem(
                    manifest.display,
                    parameter.line,
                    f"workflows.{workflow.name}.parameters.{parameter.name}",
                    f"takes a secret, but {template.display} does not declare it NoEcho: "
                    "true; add 'NoEcho: true' to the parameter so AWS masks its value",
                )


def check_outputs(manifest: Manifest, scope: Scope = EVERY_WORKFLOW) -> Iterator[Problem]:
    """Every `{output: W.Key}` names an output that W's template declares.

    The producers' templates are read even when they are out of scope: `--only func --no-deps`
    deploys func against its producer's outputs.
    """
    checked = [workflow for workflow in manifest.workflows.values() if workflow.name in scope]
    producers = Scope(frozenset(ref.workflow for w in checked for _, ref in w.output_refs()))
    templates = {workflow.name: template for workflow, template in parsed(manifest, producers)}
    for workflow in checked:
        for parameter, ref in workflow.output_refs():
            producer = templates.get(ref.workflow)
            if producer is None:
                continue  # an unknown workflow or an unreadable template is reported elsewhere
            outputs = producer.outputs()
            if ref.key not in outputs:
                yield Problem(
                    manifest.display,
                    parameter.line,
                    f"workflows.{workflow.name}.parameters.{parameter.name}.output",
                    f"{producer.display} (workflow {ref.workflow}) declares no output "
                    f"{ref.key}; it declares: {_listing(sorted(outputs))}",
                )


def check_code_uris(manifest: Manifest, scope: Scope = EVERY_WORKFLOW) -> Iterator[Problem]:
    """Every CodeUri/ContentUri is an existing folder under lambdas/, as firefly packages it."""
    lambdas = (manifest.root / LAMBDAS).resolve()
    for _, template in parsed(manifest, scope):
        for found in _source_folders(template, lambdas):
            if isinstance(found, Problem):
                yield found


def source_folders(manifest: Manifest, scope: Scope = EVERY_WORKFLOW) -> list[Path]:
    """The existing Lambda source folders (functions' and layers') in `scope`, each once.

    The others are `check_code_uris`'s problems.
    """
    lambdas = (manifest.root / LAMBDAS).resolve()
    folders = {
        found
        for _, template in parsed(manifest, scope)
        for found in _source_folders(template, lambdas)
        if isinstance(found, Path)
    }
    return sorted(folders)


def _sources(template: Template) -> Iterator[tuple[LocatedDict, str, str]]:
    """(mapping, key, field) of every local source path the template names."""
    functions = template.section("Globals").get("Function")
    if isinstance(functions, LocatedDict) and "CodeUri" in functions:
        yield functions, "CodeUri", "Globals.Function.CodeUri"
    for resource in template.resources().values():
        key = SOURCE_PROPERTIES.get(resource.type)
        if key is not None and key in resource.properties:
            yield resource.properties, key, f"Resources.{resource.logical_id}.Properties.{key}"


def _source_folders(template: Template, lambdas: Path) -> Iterator[Path | Problem]:
    """Each local source folder the template names, or the problem with it."""
    for mapping, key, field in _sources(template):
        value = mapping[key]
        line = mapping.line_of(key)
        if not isinstance(value, str) or value.startswith("s3://"):
            yield Problem(
                template.display,
                line,
                field,
                "must be a folder path relative to the template (firefly builds and "
                f"uploads it), such as ../../{LAMBDAS}/<function>",
            )
            continue
        folder = (template.path.parent / value).resolve()
        if not folder.is_relative_to(lambdas):
            yield Problem(
                template.display,
                line,
                field,
                f"'{value}' is outside {LAMBDAS}/; Lambda sources live in {LAMBDAS}/<function>",
            )
        elif not folder.is_dir():
            yield Problem(
                template.display,
                line,
                field,
                f"'{value}' is not an existing folder (resolved to {folder})",
            )
        else:
            yield folder
