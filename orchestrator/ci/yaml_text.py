"""A small YAML writer for GitHub workflow files: block style, given key order, deliberate quoting.

PyYAML's dumper is not used for the generated workflows: it cannot write comments, chooses
quoting by heuristics that change with its version and folds long lines, while a generated file
must be byte-stable (CI compares it with the committed one) and read like a hand-written one.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Commented:
    """A string value written with a comment after it on its line: `value # comment`."""

    value: str
    comment: str


Node = Mapping[str, "Node"] | Sequence["Node"] | Commented | str | int | bool

INDENT = "  "
# Characters that start something other than a plain scalar (YAML 1.2, section 5.3).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# Plain words a YAML 1.1 reader (PyYAML, and so anyone checking the files in Python) would
# read as booleans or null; GitHub's YAML 1.2 reader would not, but both must agree.
_KEYWORDS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", "<<", "="})
_NUMBER = re.compile(
    r"[-+]?(\.[0-9]|[0-9])[0-9_.:]*([eE][-+]?[0-9]+)?|[-+]?\.(inf|nan)|0[xob][0-9a-f_]+",
    re.IGNORECASE,
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")  # a YAML 1.1 timestamp starts so
# GitHub documents the trigger key as a bare `on`; quoting it would be correct but odd to read.
# A YAML 1.1 reader sees it as the boolean true, which tests account for.
_BARE_KEYS = frozenset({"on"})


def dump(
    document: Mapping[str, Node],
    *,
    header: Sequence[str] = (),
    spaced: Collection[tuple[str, ...]] = ((),),
) -> str:
    """`document` as YAML text, preceded by `header` as comment lines.

    Mappings at a path in `spaced` (() is the top level) get a blank line between entries.
    """
    lines = [f"# {line}".rstrip() for line in header]
    if lines:
        lines.append("")
    lines += _mapping(document, 0, (), spaced)
    return "\n".join(lines) + "\n"


def scalar(value: str | int | bool) -> str:
    """One-line scalar text that every YAML reader reads back as exactly `value`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if _is_plain(value):
        return value
    if value.isprintable():
        return "'" + value.replace("'", "''") + "'"
    return '"' + "".join(map(_escaped, value)) + '"'


def _escaped(character: str) -> str:
    """`character` inside a double-quoted scalar, the one style that escapes."""
    if character in '\\"':
        return "\\" + character
    if character.isprintable():
        return character
    code = ord(character)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _is_plain(text: str) -> bool:
    return bool(
        text
        and text == text.strip()
        and text.isprintable()
        and text[0] not in _INDICATORS
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and text.lower() not in _KEYWORDS
        and not _NUMBER.fullmatch(text)
        and not _DATE.match(text)
    )


def _key(key: str) -> str:
    return key if key in _BARE_KEYS else scalar(key)


def _is_block_text(value: str) -> bool:
    """A multi-line string that a literal block (`|`) keeps exactly."""
    if "\n" not in value.rstrip("\n"):
        return False
    lines = value.split("\n")
    return (
        not value.startswith((" ", "\n"))
        and not value.endswith("\n\n")
        and all(line.isprintable() for line in lines)
    )


def _block(text: str, indent: int) -> tuple[str, list[str]]:
    indicator = "|" if text.endswith("\n") else "|-"
    pad = INDENT * indent
    body = [f"{pad}{line}" if line else "" for line in text.removesuffix("\n").split("\n")]
    return indicator, body


def _mapping(
    mapping: Mapping[str, Node],
    indent: int,
    path: tuple[str, ...],
    spaced: Collection[tuple[str, ...]],
) -> list[str]:
    pad = INDENT * indent
    lines: list[str] = []
    for number, (key, value) in enumerate(mapping.items()):
        if number and path in spaced:
            lines.append("")
        head = f"{pad}{_key(key)}:"
        lines += _entry(head, value, indent + 1, (*path, key), spaced)
    return lines


def _sequence(
    items: Sequence[Node], indent: int, path: tuple[str, ...], spaced: Collection[tuple[str, ...]]
) -> list[str]:
    pad = INDENT * indent
    lines: list[str] = []
    for item in items:
        if isinstance(item, Mapping) and item:
            # The item's first key sits on the dash line: `- uses: …`, the rest under it.
            body = _mapping(item, indent + 1, path, spaced)
            lines += [f"{pad}- {body[0].lstrip()}", *body[1:]]
        else:
            lines += _entry(f"{pad}-", item, indent + 1, path, spaced)
    return lines


def _entry(
    head: str, value: Node, indent: int, path: tuple[str, ...], spaced: Collection[tuple[str, ...]]
) -> list[str]:
    """`head` (a key with its colon, or a dash) followed by `value`."""
    if isinstance(value, Mapping):
        if not value:
            return [f"{head} {{}}"]
        return [head, *_mapping(value, indent, path, spaced)]
    if isinstance(value, Commented):
        return [f"{head} {scalar(value.value)} # {value.comment}"]
    if isinstance(value, str | int | bool):
        if isinstance(value, str) and _is_block_text(value):
            indicator, body = _block(value, indent)
            return [f"{head} {indicator}", *body]
        return [f"{head} {scalar(value)}"]
    if not value:
        return [f"{head} []"]
    return [head, *_sequence(value, indent, path, spaced)]
