"""Function configuration from environment variables, read once per container at import."""

import os


class MissingEnvironmentVariableError(RuntimeError):
    """A variable the stack must set is absent: the function cannot start.

    The message is the one seed 003 documents for trigger-build ("DYNAMODB_TABLE_NAME
    environment variable is required"), the only seed that spells one out; every function
    uses it so that one search of the logs finds any misconfigured function.
    """

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} environment variable is required")
        self.name = name


def require_env(name: str) -> str:
    """The variable's value; raises (failing the cold start) when it is unset or blank."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise MissingEnvironmentVariableError(name)
    return value


def optional_env(name: str) -> str | None:
    """The variable's value, or None when it is unset or blank (a SAM parameter left empty)."""
    value = os.environ.get(name, "").strip()
    return value or None
