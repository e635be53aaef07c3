"""Read YAML into plain values that remember the line each key and value came from.

PyYAML's loaders forget positions and let a duplicate key silently win; a manifest error must
name its line, and a duplicate key is almost always a mistake, so the tree is walked here.
The text is composed by libyaml (`CSafeLoader`, five times faster than the pure-Python parser
on a large manifest; its nodes carry the same line marks); a document libyaml refuses is read
again by the pure-Python parser, so that a syntax error reads the same whichever is installed.
A tree without problems is kept on disk as JSON, keyed by the text (`disk_cache`): composing
a 2,000-workflow manifest again was a third of a warm `firefly validate`. Never a pickle: the
cache folder is what CI restores, and loading a pickle runs whatever code it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from orchestrator.disk_cache import JSON_SCALARS, entry_path, read_json_entry, write_json_entry
from orchestrator.errors import Problem

# libyaml's parser under PyYAML's safe constructor; absent when PyYAML was built without libyaml.
FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


STR_TAG = "tag:yaml.org,2002:str"
# Part of every stored tree's key: change it whenever a manifest is composed differently.
TREE_FORMAT = "1"


@dataclass
class Located:
    """A YAML value and the 1-based line it starts on."""

    value: Any
    line: int


@dataclass
class LocatedMap:
    """A YAML mapping: keys in file order, each with its value and the line of the key."""

    line: int
    items: dict[str, Located] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)


def load_located(path: Path, display: str) -> tuple[Located | None, list[Problem]]:
    """Parse `path`; YAML syntax errors and duplicate keys come back as problems."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return None, [Problem(display, 0, "", f"not UTF-8 text ({error.reason}); save it as UTF-8")]
    stored = read_json_entry(_tree_path(text), _decoded)
    if isinstance(stored, Located):
        return stored, []
    try:
        root, found = _located(text)
    except yaml.YAMLError as error:
        return None, [yaml_problem(error, display)]
    if root is not None and not found:
        _store_tree(text, root)
    if root is None:
        return None, [Problem(display, 1, "", "the manifest is empty; see DESIGN.md for its shape")]
    return root, [replace(problem, file=display) for problem in found]


def _located(text: str) -> tuple[Located | None, list[Problem]]:
    """The located tree and its problems (for any file name: the caller's is put in)."""
    try:
        node = yaml.compose(text, Loader=FAST_LOADER)
    except yaml.YAMLError:
        node = yaml.compose(text, Loader=yaml.SafeLoader)  # raises again, in the words users see
    if node is None:
        return None, []
    walker = _Walker("")
    return walker.walk(node), walker.problems


def yaml_problem(error: yaml.YAMLError, display: str) -> Problem:
    """A YAML error as one problem at its line (0 when the parser gave none)."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        reason = error.problem or error.context or "invalid YAML"
        return Problem(display, mark.line + 1 if mark else 0, "", f"YAML syntax error: {reason}")
    return Problem(display, 0, "", f"YAML error: {error}")


class _Walker:
    def __init__(self, display: str) -> None:
        self.display = display
        self.problems: list[Problem] = []
        # SafeConstructor turns a scalar into int/bool/None/str exactly as yaml.safe_load would.
        self.constructor = yaml.SafeLoader("")

    def walk(self, node: yaml.Node) -> Located:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            return Located(self._mapping(node), line)
        if isinstance(node, yaml.SequenceNode):
            return Located([self.walk(child) for child in node.value], line)
        if node.tag == STR_TAG:  # most scalars: their text is their value
            return Located(node.value, line)
        return Located(self.constructor.construct_object(node, deep=True), line)

    def _key(self, node: yaml.ScalarNode) -> str:
        return str(self.constructor.construct_object(node))

    def _mapping(self, node: yaml.MappingNode) -> LocatedMap:
        self.constructor.flatten_mapping(node)  # resolves `<<` merge keys like safe_load does
        result = LocatedMap(line=node.start_mark.line + 1)
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem(self.display, key_line, "", "a key must be a string"))
                continue
            key = key_node.value if key_node.tag == STR_TAG else self._key(key_node)
            if key in result.items:
                first = result.key_lines[key]
                self.problems.append(
                    Problem(
                        self.display, key_line, key, f"duplicate key (first set on line {first})"
                    )
                )
                continue
            result.items[key] = self.walk(value_node)
            result.key_lines[key] = key_line
        return result


def _tree_path(text: str) -> Path:
    return entry_path("manifest-trees", TREE_FORMAT, text, suffix=".json")


def _store_tree(text: str, root: Located) -> None:
    """Keep `root` as `{"n": line, "v": value}`, each mapping as `{"l": line, "i": [[key, key's
    line, located value], …]}`: every JSON object is one of the two, so it reads back untagged."""
    try:
        encoded = _encoded(root)
    except TypeError:
        return  # a value JSON cannot hold exactly (a date): composed again next run
    write_json_entry(_tree_path(text), encoded)


def _encoded(located: Located) -> dict[str, Any]:
    value = located.value
    if isinstance(value, LocatedMap):
        items = [[k, value.key_lines[k], _encoded(v)] for k, v in value.items.items()]
        return {"n": located.line, "v": {"l": value.line, "i": items}}
    if type(value) is list:
        return {"n": located.line, "v": [_encoded(item) for item in value]}
    if type(value) in JSON_SCALARS:
        return {"n": located.line, "v": value}
    raise TypeError(f"{type(value).__name__} has no exact JSON form")


def _decoded(data: dict[str, Any]) -> Located | LocatedMap:
    if "n" in data:
        return Located(data["v"], data["n"])
    result = LocatedMap(data["l"])
    for key, line, value in data["i"]:
        result.items[key] = value
        result.key_lines[key] = line
    return result
