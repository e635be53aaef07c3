"""Stack events read incrementally: only what is newer than the last event seen."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError


class EventCursor:
    """Per stack, the newest event id already read; DescribeStackEvents pages run newest
    first, so reading stops at that id instead of paging through a stack's whole history."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._last: dict[str, str] = {}

    def new_events(self, stack: str) -> list[dict[str, Any]]:
        """Events since the last call, oldest first; [] when they cannot be read."""
        seen = self._last.get(stack)
        fresh: list[dict[str, Any]] = []
        try:
            pages = self._client.get_paginator("describe_stack_events").paginate(StackName=stack)
            for page in pages:
                events = page["StackEvents"]
                stop = next((i for i, e in enumerate(events) if e["EventId"] == seen), None)
                fresh += events if stop is None else events[:stop]
                if stop is not None or seen is None:
                    break  # a first look reads one page: the latest events, not the history
        except (ClientError, BotoCoreError):
            return []  # events only describe progress: never a reason to fail a deploy
        if fresh:
            self._last[stack] = str(fresh[0]["EventId"])
        return fresh[::-1]


def describe_event(event: dict[str, Any]) -> str:
    text = f"{event.get('LogicalResourceId', '')} {event.get('ResourceStatus', '')}"
    reason = event.get("ResourceStatusReason")
    return f"{text}: {reason}" if reason and "FAILED" in text else text
