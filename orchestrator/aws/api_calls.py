"""Every request firefly sends, counted per `service:Operation` (the report's `api_calls`).

Counted on botocore's `before-send`, once per HTTP request: a retried call counts each
attempt, as the service's quota sees it; a call refused before sending (a dead endpoint)
does not count.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class ApiCalls:
    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def install(self, client: Any) -> None:
        client.meta.events.register("before-send", self._sent, unique_id="firefly-api-calls")

    def _sent(self, event_name: str = "", **_: Any) -> None:
        # before-send.{service}.{Operation}; the service part is botocore's hyphenated id
        service, operation = [*event_name.split(".", 2), "", ""][1:3]
        with self._lock:
            self._counts[f"{service}:{operation}"] += 1

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))
