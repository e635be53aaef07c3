"""`--check` for the commands whose output is committed (docs, ci generate)."""

from __future__ import annotations

from pathlib import Path

from orchestrator.errors import OrchestratorError


def fail_if_stale(folder: Path, stale: list[str], *, noun: str, command: str) -> None:
    """One line naming what is out of date and the command that brings it up to date."""
    from orchestrator.manifest import display_path

    if stale:
        raise OrchestratorError(
            f"{display_path(folder)}: {len(stale)} {noun}(s) out of date "
            f"({', '.join(stale)}); run '{command}' and commit the result"
        )
