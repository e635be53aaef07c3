"""The errors firefly raises on purpose, and the exit codes they map to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    """The documented exit codes of every firefly command."""

    SUCCESS = 0
    WORKFLOW_FAILED = 1
    USAGE = 2
    LOCKED = 3
    INTERRUPTED = 130


class OrchestratorError(Exception):
    """An error the user can act on: its message is one clear line, printed without traceback."""

    exit_code: ExitCode = ExitCode.WORKFLOW_FAILED
    aborts_run = False  # True: nothing new should start once this is raised

    def __init__(self, message: str, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def lines(self) -> list[str]:
        return [self.message]


class EndpointUnreachable(OrchestratorError):
    """The AWS endpoint (or the sandbox) stopped answering: the whole run stops, since every
    workflow still to start would fail the same way."""

    aborts_run = True


class Interrupted(OrchestratorError):
    """A workflow the user's interrupt stopped before it changed anything more."""

    exit_code = ExitCode.INTERRUPTED


class UsageError(OrchestratorError):
    """Bad input on the command line (an unknown workflow in --only, an undeclared --env)."""

    exit_code = ExitCode.USAGE


class EnvironmentLocked(OrchestratorError):
    """Another run holds the environment's lock: this one changes nothing and exits at once."""

    exit_code = ExitCode.LOCKED


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a file: where it is, which field, and what to do about it."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else (f"{where}: {self.message}")
        )


class ManifestError(OrchestratorError):
    """The manifest (or a template it names) is invalid; carries every problem found."""

    exit_code = ExitCode.USAGE

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]
