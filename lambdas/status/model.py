"""The Status Lambda's event and the assembly's owner; pure, so property-tested."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Transflow assembly ids are 64 hex characters; the set leaves room for other id schemes but not
# for whitespace, paths, quotes or anything a DynamoDB key of 128 characters could not hold.
_ASSEMBLY_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_USER_ID = re.compile(r"[^\x00-\x1f\x7f-\x9f]{1,256}")


class BadRequest(ValueError):
    """A client mistake; its message is the 400 body's `error`."""


@dataclass(frozen=True)
class Request:
    assembly_id: str
    user_id: str | None
    trigger_webhook: bool


def parse_event(event: Any) -> Request:
    """The validated request; raises BadRequest."""
    if not isinstance(event, dict):
        raise BadRequest("Event must be a JSON object")
    assembly_id = event.get("assemblyId")
    if assembly_id is None or assembly_id == "":
        raise BadRequest("assemblyId is required")
    if not isinstance(assembly_id, str):
        raise BadRequest("assemblyId must be a string")
    if not _ASSEMBLY_ID.fullmatch(assembly_id):
        raise BadRequest("assemblyId is invalid")
    user_id = event.get("userId")
    # An empty userId must not quietly mean "no ownership check".
    if user_id is not None and not (isinstance(user_id, str) and _USER_ID.fullmatch(user_id)):
        raise BadRequest("userId must be a non-empty string")
    trigger = event.get("triggerWebhook")
    if trigger is not None and not isinstance(trigger, bool):
        raise BadRequest("triggerWebhook must be a boolean")
    return Request(assembly_id, user_id, trigger is True)


def owner(assembly: dict[str, Any]) -> Any:
    user = assembly.get("user")
    return user.get("userId") if isinstance(user, dict) else None
