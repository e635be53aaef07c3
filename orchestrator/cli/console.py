"""The two consoles: stdout for results, stderr for progress and errors.

Text that comes from outside (manifest values, AWS messages) is printed with markup off, so a
`[bold]` in a description or an error can never restyle or hide output.

A command that knows its environment installs the run's redactor here (`use_redactor`) before
its first AWS call, so that the errors and warnings it ends with are masked like the rest.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from rich.console import Console

    from orchestrator.engine.redaction import Redactor
    from orchestrator.manifest.models import Manifest


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


def unmasked(text: str) -> str:
    return text


_active: list[Callable[[str], str]] = [unmasked]  # the command's redactor: one at a time


def use_redactor(redactor: Callable[[str], str] = unmasked) -> None:
    """Mask errors and warnings with `redactor` from now on (`run` resets it per command)."""
    _active[0] = redactor


def redactor_for(manifest: Manifest, env: str, environ: Mapping[str, str]) -> Redactor:
    """Build the run's redactor (refusing secrets too short to mask) and install it."""
    from orchestrator.engine.redaction import environment_redactor

    redactor = environment_redactor(manifest, env, environ)
    use_redactor(redactor)
    return redactor


def print_error(line: str) -> None:
    stderr.print(f"error: {_active[0](line)}", style="red")


def print_warning(line: str) -> None:
    stderr.print(f"warning: {_active[0](line)}", style="yellow")


def print_plain(text: str) -> None:
    """Machine-readable output (JSON, mermaid, dot): exactly `text`, no styling or wrapping."""
    # sys.stdout as it is now, as the console would: a test runner may have replaced it.
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def print_rows(console: Console, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A table: laid out to the terminal's width in one, and elsewhere (a pipe, a file, CI's
    log) as whole rows with aligned columns, so no name is ever cut or wrapped mid-word."""
    if console.is_terminal:
        from rich.table import Table

        table = Table(box=None, header_style="bold")
        for header in headers:
            table.add_column(header, overflow="fold")
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=False)]
    for row in (headers, *rows):
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        console.file.write(line.rstrip() + "\n")
