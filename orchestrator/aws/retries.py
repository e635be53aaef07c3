"""firefly's one retry policy for every AWS call, and the watch that notices a dead endpoint.

botocore's own modes do not fit a deploy of many stacks: `standard` and `adaptive` spend a
shared retry quota (500 tokens per client, 5 per throttled retry, 14 per server error) that a
throttling storm empties, after which every call fails on its first error; and a refused
connection is retried with backoffs of up to 20 s, so a dead endpoint takes minutes to be
told. Here, registered first on botocore's `needs-retry` event:

- throttling and transient server errors are retried up to `max_attempts` (the user's
  `AWS_MAX_ATTEMPTS` or profile `max_attempts` when set, else 10), each after a
  full-jitter exponential backoff, as the AWS Builders' Library and the SDK retry behavior
  reference describe (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html);
- a connection that cannot be made is retried until the endpoint has not answered for
  `dead_after` seconds; then `EndpointUnreachable` is raised, and every later call of any
  client sharing the watch fails at once instead of trying again.

A user who sets `AWS_RETRY_MODE` (or `retry_mode` in the profile) keeps botocore's mode as
configured; only the dead-endpoint watch stays.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.exceptions import HTTPClientError, ReadTimeoutError

from orchestrator.aws.errors import is_retryable
from orchestrator.errors import EndpointUnreachable

DEFAULT_MAX_ATTEMPTS = 10
BASE_DELAY = 0.25  # seconds: the first retry waits up to this, each later one up to twice more
MAX_DELAY = 20.0  # seconds: the cap of one backoff, as botocore's
CONNECTION_DELAY = 0.5  # seconds: the cap between attempts to reach a silent endpoint
SANDBOX_DEAD_AFTER = 2.0  # seconds: nothing listening on the loopback is not a network blip
AWS_DEAD_AFTER = 8.0  # seconds: within the 10 s the issue allows, past a DNS or TLS hiccup


def is_connection_failure(error: BaseException | None) -> bool:
    """The endpoint could not be reached at all (refused, reset, no route, no DNS)."""
    if isinstance(error, ReadTimeoutError):
        return False  # it answered the connection: slow, not dead
    return isinstance(error, BotoConnectionError | HTTPClientError)


def backoff(attempts: int, rand: Callable[[], float] = random.random) -> float:
    """Full jitter: a uniform wait in [0, min(MAX_DELAY, BASE_DELAY * 2**(attempts-1)))."""
    return rand() * min(MAX_DELAY, BASE_DELAY * float(2 ** max(0, attempts - 1)))


class EndpointWatch:
    """Whether one endpoint still answers, shared by every client that talks to it."""

    def __init__(
        self, describe: str, dead_after: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.describe = describe  # "the sandbox at http://127.0.0.1:4566 stopped answering…"
        self._dead_after = dead_after
        self._clock = clock
        self._lock = threading.Lock()
        self._silent_since: float | None = None
        self.dead = False

    def answered(self) -> None:
        with self._lock:
            self._silent_since = None

    def silent(self) -> bool:
        """Record a failed connection; True once the endpoint counts as dead."""
        with self._lock:
            now = self._clock()
            if self._silent_since is None:
                self._silent_since = now
            if now - self._silent_since >= self._dead_after:
                self.dead = True
            return self.dead

    def error(self) -> EndpointUnreachable:
        return EndpointUnreachable(self.describe)


class RetryPolicy:
    """The `needs-retry` and `before-send` handlers of every client of one connection."""

    def __init__(
        self,
        watch: EndpointWatch,
        max_attempts: int | None = DEFAULT_MAX_ATTEMPTS,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.watch = watch
        self.max_attempts = max_attempts  # None: the user's retry mode decides, not firefly
        self._rand = rand

    def install(self, client: Any) -> None:
        events = client.meta.events
        events.register_first("before-send", self.before_send, unique_id="firefly-watch")
        events.register_first("needs-retry", self.needs_retry, unique_id="firefly-retries")

    def before_send(self, **_: Any) -> None:
        if self.watch.dead:
            raise self.watch.error()  # not retryable: it leaves botocore as it is

    def needs_retry(
        self,
        response: tuple[Any, dict[str, Any]] | None = None,
        attempts: int = 1,
        caught_exception: BaseException | None = None,
        **_: Any,
    ) -> float | None:
        """Seconds to wait before the next attempt; None lets the call end as it did."""
        if isinstance(caught_exception, EndpointUnreachable):
            raise caught_exception
        if caught_exception is None or not is_connection_failure(caught_exception):
            self.watch.answered()
        elif self.watch.silent():
            raise self.watch.error() from caught_exception
        else:
            return self._rand() * CONNECTION_DELAY  # retried until the watch gives up
        if self.max_attempts is None or attempts >= self.max_attempts:
            return None
        if isinstance(caught_exception, ReadTimeoutError):
            return backoff(attempts, self._rand)  # it answered the connection, then stalled
        if caught_exception is not None or response is None:
            return None  # not an answer from AWS (a bug, a parse failure): no second try
        http, parsed = response
        code = str(parsed.get("Error", {}).get("Code", ""))
        status = int(getattr(http, "status_code", 0))
        return backoff(attempts, self._rand) if is_retryable(code, status) else None
