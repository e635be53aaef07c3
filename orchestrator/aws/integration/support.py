"""What every check uses: its failure, its expectations, its cleanup and its bounded waits."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from orchestrator.aws.errors import error_code, error_message

if TYPE_CHECKING:
    from orchestrator.aws.integration.api import Api, ApiResponse
    from orchestrator.aws.integration.deployment import Deployment

T = TypeVar("T")


class CheckFailure(Exception):
    """What a check saw instead of what it expected: one line, the check's verdict."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailure(message)


def expect_status(response: ApiResponse, status: int, what: str) -> None:
    """`what` answered `status`; otherwise the failure quotes the status and body it got."""
    if response.status != status:
        raise CheckFailure(f"{what}: expected {status}, got {response.status} {response.excerpt()}")


def describe(error: BaseException) -> str:
    """An unexpected error as one line (AWS errors by their code's message)."""
    if isinstance(error, ClientError):
        return f"{error.operation_name} refused: {error_code(error)} {error_message(error)}"
    return f"{type(error).__name__}: {error}"


@dataclass
class CheckContext:
    """One check's view of the deployment: the APIs it calls and the things it must undo."""

    deployment: Deployment
    api: Api
    run_id: str
    poll_seconds: float = 30.0
    _cleanups: list[tuple[str, Callable[[], object]]] = field(default_factory=list)

    def unique(self, label: str) -> str:
        """A name of this run (`ff-it-1a2b3c4d-label`): reruns and parallel checks never meet."""
        return f"{self.run_id}-{label}"

    def defer(self, what: str, action: Callable[[], object]) -> None:
        """Undo something when the check ends, passed or failed (last registered, first run)."""
        self._cleanups.append((what, action))

    def clean_up(self) -> list[str]:
        """Run the deferred actions; what could not be undone, one line each."""
        problems = []
        for what, action in reversed(self._cleanups):
            try:
                action()
            except (ClientError, BotoCoreError, OSError) as error:
                problems.append(f"{what}: {describe(error)}")
        self._cleanups.clear()
        return problems

    def wait_for(self, what: str, probe: Callable[[], T | None], interval: float = 0.25) -> T:
        """Poll `probe` until it returns a value; fails after `poll_seconds` naming `what`."""
        deadline = time.monotonic() + self.poll_seconds
        while True:
            value = probe()
            if value is not None:
                return value
            if time.monotonic() >= deadline:
                raise CheckFailure(f"{what} not seen within {self.poll_seconds:g} s")
            time.sleep(interval)


def json_object(value: Any, what: str) -> dict[str, Any]:
    expect(isinstance(value, dict), f"{what}: expected a JSON object, got {value!r:.200}")
    result: dict[str, Any] = value
    return result


def delete_every_version(s3: Any, bucket: str, key: str) -> None:
    """Delete `key` for good: in a versioned bucket a plain delete only adds a delete marker,
    and the versions it hides would keep the bucket from being deleted."""
    listed = s3.list_object_versions(Bucket=bucket, Prefix=key)
    for entry in listed.get("Versions", []) + listed.get("DeleteMarkers", []):
        if entry["Key"] == key:
            s3.delete_object(Bucket=bucket, Key=key, VersionId=entry["VersionId"])
