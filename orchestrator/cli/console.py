"""The two consoles: stdout for results, stderr for progress and errors.

Text that comes from outside (manifest values, AWS messages) is printed with markup off, so a
`[bold]` in a description or an error can never restyle or hide output.
"""

from __future__ import annotations

from rich.console import Console

stdout = Console(soft_wrap=True, markup=False, highlight=False)
stderr = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)


def print_error(line: str) -> None:
    stderr.print(f"error: {line}", style="red")


def print_warning(line: str) -> None:
    stderr.print(f"warning: {line}", style="yellow")


def print_plain(text: str) -> None:
    """Machine-readable output (JSON, mermaid, dot): exactly `text`, no styling or wrapping."""
    stdout.file.write(text if text.endswith("\n") else text + "\n")
