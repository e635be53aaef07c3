"""Read CloudFormation/SAM templates into plain values that remember their lines.

Templates use the short-form intrinsic tags (`!Ref`, `!Sub`, `!GetAtt a.b` …), which
`yaml.safe_load` refuses, and a problem must point at its line, which it forgets. Each short
form becomes its long form (`{"Fn::Sub": ...}`), exactly as CloudFormation reads it.
Templates are parsed by libyaml, like the manifest (`yaml_source`), and a template it refuses is
read again by the pure-Python parser for the error's wording.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from orchestrator.errors import Problem
from orchestrator.manifest.yaml_source import FAST_LOADER, yaml_problem

# Short form → long form; `!Ref` and `!Condition` have no `Fn::` prefix.
INTRINSICS = {
    "Ref": "Ref",
    "Condition": "Condition",
    **{
        name: f"Fn::{name}"
        for name in (
            "Sub",
            "GetAtt",
            "If",
            "Join",
            "Select",
            "Split",
            "FindInMap",
            "ImportValue",
            "Equals",
            "Not",
            "And",
            "Or",
            "GetAZs",
            "Base64",
            "Cidr",
            "Transform",
            "Length",
            "ToJsonString",
        )
    },
}


class LocatedDict(dict[str, Any]):
    """A YAML mapping that also knows the line it starts on and the line of each key."""

    # Slots: a warm validate of 2,000 templates builds 18,000 of these, and each would carry a
    # __dict__ of its own besides.
    __slots__ = ("key_lines", "line")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _Collecting:
    """A loader that collects duplicate keys and unknown tags instead of guessing."""

    problems: list[tuple[int, str]]

    def __init__(self, text: str) -> None:
        super().__init__(text)  # type: ignore[call-arg]  # the parser's, after this mixin
        self.problems = []


class _Loader(_Collecting, yaml.SafeLoader):
    """The pure-Python parser: its error messages are the ones users see."""


class _FastLoader(_Collecting, FAST_LOADER):  # type: ignore[valid-type,misc]
    """libyaml's parser: what every readable template goes through."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    result = LocatedDict(node.start_mark.line + 1)
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        key = str(loader.construct_object(key_node, deep=True))
        if key in result:
            loader.problems.append(
                (line, f"duplicate key '{key}' (first set on line {result.key_lines[key]})")
            )
            continue
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _intrinsic(loader: _Loader, suffix: str, node: yaml.Node) -> LocatedDict:
    line = node.start_mark.line + 1
    name = INTRINSICS.get(suffix)
    if name is None:
        loader.problems.append(
            (
                line,
                f"unknown tag !{suffix}; CloudFormation's short forms are "
                "!Ref, !Sub, !GetAtt, !If, !Join, ...",
            )
        )
        name = f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if name == "Fn::GetAtt":
            # `!GetAtt Resource.Attribute`; attributes may contain dots themselves.
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = _mapping(loader, node)
    result = LocatedDict(line)
    result[name] = value
    result.key_lines[name] = line
    return result


def _scalar_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    # CloudFormation reads `2010-09-09` as text; a date object would not compare equal to it.
    return str(loader.construct_scalar(node))


for _loader in (_Loader, _FastLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _scalar_text)
    _loader.add_multi_constructor("!", _intrinsic)


def parse_yaml(text: str, display: str) -> tuple[Any, list[Problem]]:
    """The document in `text` (None when unreadable) and its problems, each at its line."""
    try:
        document, found = _parse(text)
    except yaml.YAMLError as error:
        return None, [yaml_problem(error, display)]
    return document, [Problem(display, line, "", message) for line, message in found]


def _parse(text: str) -> tuple[Any, list[tuple[int, str]]]:
    try:
        return _load(_FastLoader, text)
    except yaml.YAMLError:
        return _load(_Loader, text)  # raises again, in the words users see


def _load(kind: type[_Collecting], text: str) -> tuple[Any, list[tuple[int, str]]]:
    loader: Any = kind(text)
    try:
        document = loader.get_single_data()
    finally:
        loader.dispose()
    return document, loader.problems


def read_text(path: Path, display: str) -> tuple[str | None, list[Problem]]:
    try:
        return path.read_text(encoding="utf-8"), []
    except UnicodeDecodeError as error:
        return None, [Problem(display, 0, "", f"not UTF-8 text ({error.reason}); save it as UTF-8")]
    except OSError as error:
        return None, [Problem(display, 0, "", f"cannot be read: {error.strerror}")]
