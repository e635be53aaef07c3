"""Typed reads from the located YAML tree: each wrong value becomes a Problem, not an error."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable
from typing import Any

from orchestrator.errors import Problem
from orchestrator.manifest.yaml_source import Located, LocatedMap


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a choice is close to `word`, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def kind_of(value: Any) -> str:
    if isinstance(value, LocatedMap):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "nothing (null)"
    return "a string"


class Reader:
    """Collects problems for one file while reading typed values out of it."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.problems: list[Problem] = []

    def problem(self, line: int, field: str, message: str) -> None:
        self.problems.append(Problem(self.display, line, field, message))

    def mapping(self, located: Located, field: str) -> LocatedMap | None:
        if isinstance(located.value, LocatedMap):
            return located.value
        self.problem(located.line, field, f"expected a mapping, got {kind_of(located.value)}")
        return None

    def known_keys(
        self,
        node: LocatedMap,
        field: str,
        allowed: Collection[str],
        required: Collection[str] = (),
    ) -> None:
        misspelled = set()
        for key, line in node.key_lines.items():
            if key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
                misspelled.update(close)
                hint = (
                    f" (did you mean '{close[0]}'?)"
                    if close
                    else (f" (allowed: {', '.join(allowed)})")
                )
                self.problem(line, join_field(field, key), f"unknown key{hint}")
        for key in required:
            # A misspelt required key is reported once, as the misspelling.
            if key not in node.items and key not in misspelled:
                self.problem(node.line, field, f"missing required key '{key}'")

    def text(
        self, located: Located, field: str, pattern: re.Pattern[str] | None = None, rule: str = ""
    ) -> str | None:
        value = located.value
        if not isinstance(value, str):
            self.problem(located.line, field, f"expected a string, got {kind_of(value)}")
            return None
        if not value.strip():
            self.problem(located.line, field, "must not be empty")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.problem(located.line, field, f"'{value}' is not valid: {rule}")
            return None
        return value

    def flag(self, located: Located, field: str) -> bool | None:
        """The boolean, or None (with a problem) so that checks depending on it can stand down."""
        if isinstance(located.value, bool):
            return located.value
        self.problem(located.line, field, f"expected true or false, got {kind_of(located.value)}")
        return None

    def choice(self, located: Located, field: str, choices: Collection[str]) -> str | None:
        value = self.text(located, field)
        if value is not None and value not in choices:
            hint = did_you_mean(value, choices) or f" (one of: {', '.join(choices)})"
            self.problem(located.line, field, f"'{value}' is not allowed{hint}")
            return None
        return value

    def names(self, node: LocatedMap, field: str, pattern: re.Pattern[str], rule: str) -> None:
        for key, line in node.key_lines.items():
            if not pattern.fullmatch(key):
                self.problem(line, join_field(field, key), f"'{key}' is not a valid name: {rule}")

    def scalar_text(self, located: Located, field: str) -> str | None:
        """A string, or a whole number written unquoted (CloudFormation values are strings)."""
        value = located.value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str):
            return value
        self.problem(located.line, field, f"expected a string, got {kind_of(value)}")
        return None


def join_field(field: str, key: str) -> str:
    """`workflows.api-gateway` + `type` → `workflows.api-gateway.type`."""
    return f"{field}.{key}" if field else key
