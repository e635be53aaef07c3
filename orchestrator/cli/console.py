"""The two consoles: stdout for results, stderr for progress and errors.

Text that comes from outside (manifest values, AWS messages) is printed with markup off, so a
`[bold]` in a description or an error can never restyle or hide output.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

stdout = Console(soft_wrap=True, markup=False, highlight=False)
stderr = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)


def print_error(line: str) -> None:
    stderr.print(f"error: {line}", style="red")


def print_warning(line: str) -> None:
    stderr.print(f"warning: {line}", style="yellow")


def print_plain(text: str) -> None:
    """Machine-readable output (JSON, mermaid, dot): exactly `text`, no styling or wrapping."""
    stdout.file.write(text if text.endswith("\n") else text + "\n")


def print_rows(console: Console, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A table: laid out to the terminal's width in one, and elsewhere (a pipe, a file, CI's
    log) as whole rows with aligned columns, so no name is ever cut or wrapped mid-word."""
    if console.is_terminal:
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
