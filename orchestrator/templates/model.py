"""A parsed template, and the parts of it the checks read: parameters, outputs, resources."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Any

from orchestrator.errors import Problem
from orchestrator.templates.loader import LocatedDict, parse_yaml, read_text
from orchestrator.templates.parse_cache import (
    cached_parse,
    cached_parse_set,
    store_parse,
    store_parse_set,
)

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


@dataclass(frozen=True)
class Resource:
    logical_id: str
    type: str
    line: int
    properties: LocatedDict
    attributes: LocatedDict  # the resource's own entry: DeletionPolicy, Condition, ...


@dataclass(frozen=True)
class Template:
    path: Path
    display: str
    text: str
    body: LocatedDict

    def section(self, name: str) -> LocatedDict:
        """A top-level section, empty when absent or malformed (cfn-lint reports the latter)."""
        value = self.body.get(name)
        return value if isinstance(value, LocatedDict) else LocatedDict(self.body.line_of(name))

    @property
    def is_sam(self) -> bool:
        transform = self.body.get("Transform")
        names = transform if isinstance(transform, list) else [transform]
        return SAM_TRANSFORM in names

    def parameters(self) -> dict[str, tuple[int, bool]]:
        """Each declared parameter: its line and whether it has a Default."""
        section = self.section("Parameters")
        return {
            name: (section.line_of(name), isinstance(value, dict) and "Default" in value)
            for name, value in section.items()
        }

    def outputs(self) -> dict[str, int]:
        section = self.section("Outputs")
        return {name: section.line_of(name) for name in section}

    def exports(self) -> Iterator[tuple[Any, int]]:
        """The export name of every exported output (as written), with its line."""
        for value in self.section("Outputs").values():
            export = value.get("Export") if isinstance(value, dict) else None
            if isinstance(export, LocatedDict) and "Name" in export:
                yield export["Name"], export.line_of("Name")

    def resources(self) -> dict[str, Resource]:
        section = self.section("Resources")
        found = {}
        for logical_id, value in section.items():
            if not isinstance(value, LocatedDict):
                continue
            properties = value.get("Properties")
            if not isinstance(properties, LocatedDict):
                properties = LocatedDict(value.line)
            kind = value.get("Type")
            found[logical_id] = Resource(
                logical_id,
                kind if isinstance(kind, str) else "",
                section.line_of(logical_id),
                properties,
                value,
            )
        return found


def parse_template(path: Path, display: str) -> tuple[Template | None, list[Problem]]:
    text, problems = read_text(path, display)
    if text is None:
        return None, problems
    body = cached_parse(text)
    if body is None:
        body, problems = parse_yaml(text, display)
        if problems:
            return None, problems
        if isinstance(body, LocatedDict):
            store_parse(text, body)
    if not isinstance(body, LocatedDict):
        return None, [
            Problem(display, 1, "", "a template must be a mapping with a Resources section")
        ]
    return Template(path, display, text, body), []


_cache: dict[tuple[Path, int, int, str], tuple[Template | None, list[Problem]]] = {}


def load_template(path: Path, display: str) -> tuple[Template | None, list[Problem]]:
    """`parse_template`, once per file version: every check of a run reads the same parse."""
    key = _cache_key(path, display)
    if key is None:
        return None, [Problem(display, 0, "", "template not found")]
    if key not in _cache:
        _cache[key] = parse_template(path, display)
    template, problems = _cache[key]
    return template, list(problems)


def load_templates(
    files: Sequence[tuple[Path, str]],
) -> list[tuple[Template | None, list[Problem]]]:
    """`load_template` of each (path, display), their parses read from one stored set when an
    earlier run parsed exactly these templates, and stored as one set when it did not. A lone
    template keeps only its own entry: a set of one would store the same parse twice."""
    keyed = [(key, path, display) for path, display in files if (key := _cache_key(path, display))]
    fresh = [(key, path, display) for key, path, display in keyed if key not in _cache]
    texts = [text for _, path, display in fresh if (text := read_text(path, display)[0])]
    if len(fresh) > 1 and len(texts) == len(fresh):
        stored = cached_parse_set(texts)
        if stored is not None:
            for (key, path, display), text, body in zip(fresh, texts, stored, strict=True):
                _cache[key] = Template(path, display, text, body), []
        else:
            results = [load_template(path, display) for _, path, display in fresh]
            if all(template is not None for template, _ in results):
                store_parse_set(texts, [t.body for t, _ in results if t is not None])
    return [load_template(path, display) for path, display in files]


def _cache_key(path: Path, display: str) -> tuple[Path, int, int, str] | None:
    """What identifies one version of a template file; None when it is not a file."""
    try:
        stat = path.stat()
    except OSError:
        return None
    if not S_ISREG(stat.st_mode):
        return None
    # absolute(), not resolve(): it makes no system call, and every check asks for every
    # template (ten times per template and run for `firefly validate`).
    return (path.absolute(), stat.st_mtime_ns, stat.st_size, display)


def walk(value: Any) -> Iterator[Mapping[str, Any]]:
    """Every mapping inside `value`, depth first, `value` included."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)
