"""The two consoles: stdout for results, stderr for progress and errors.

Text that comes from outside (manifest values, AWS messages) is printed with markup off, so a
`[bold]` in a description or an error can never restyle or hide output.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from rich.console import Console


class _ConsoleOnFirstUse:
    """A rich Console, made when first printed to: a command whose output is machine-readable
    (`firefly graph --format json`) never imports rich, a twentieth of its start."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


stdout = cast("Console", _ConsoleOnFirstUse(soft_wrap=True, markup=False, highlight=False))
stderr = cast(
    "Console", _ConsoleOnFirstUse(stderr=True, soft_wrap=True, markup=False, highlight=False)
)


def print_error(line: str) -> None:
    stderr.print(f"error: {line}", style="red")


def print_warning(line: str) -> None:
    stderr.print(f"warning: {line}", style="yellow")


def print_plain(text: str) -> None:
    """Machine-readable output (JSON, mermaid, dot): exactly `text`, no styling or wrapping."""
    # sys.stdout as it is now, as the console would: a test runner may have replaced it.
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
