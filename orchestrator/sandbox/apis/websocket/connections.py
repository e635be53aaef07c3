"""The WebSocket connections this process serves, by connection id: what `@connections` reaches.

A connection is registered once its `$connect` succeeded and dropped when it closes, so the
management API finds only open connections and answers GoneException for any other id, as AWS
does ("Use @connections commands in your backend service",
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

# how long an engine that stops waits for each client to answer its close frame
CLOSE_WAIT_SECONDS = 5.0


class Channel(Protocol):
    """The live socket of a connection, as the management API uses it."""

    def send(self, data: str | bytes) -> None: ...

    def close(self, code: int, reason: str) -> None: ...

    def abort(self) -> None: ...


@dataclass
class LiveConnection:
    connection_id: str
    api_id: str
    stage: str
    engine_port: int
    source_ip: str
    user_agent: str
    channel: Channel = field(repr=False)
    connected_at: float = field(default_factory=time.time)
    last_active_at: float = field(default_factory=time.time)
    # set when the serving thread is done with the connection ($disconnect included)
    finished: threading.Event = field(default_factory=threading.Event, repr=False)
    # set when the engine stops: nothing is left to tell about the disconnect
    engine_stopping: bool = False
    # closed (by either side, or DeleteConnection): gone at once for the management API, though
    # the serving thread still finishes the closing handshake and $disconnect
    retired: bool = False

    def touch(self) -> None:
        self.last_active_at = time.time()

    def describe(self) -> dict[str, Any]:
        """GetConnection's answer (connectedAt and lastActiveAt as ISO 8601 on the wire)."""
        return {
            "connectedAt": _iso(self.connected_at),
            "lastActiveAt": _iso(self.last_active_at),
            "identity": {"sourceIp": self.source_ip, "userAgent": self.user_agent},
        }


_lock = threading.Lock()
_live: dict[str, LiveConnection] = {}


def add(connection: LiveConnection) -> None:
    with _lock:
        _live[connection.connection_id] = connection


def remove(connection_id: str) -> None:
    with _lock:
        _live.pop(connection_id, None)


def find(connection_id: str) -> LiveConnection | None:
    """The open connection `connection_id`; None for one that is gone (or never was)."""
    with _lock:
        connection = _live.get(connection_id)
    return None if connection is None or connection.retired else connection


def close_all(engine_port: int) -> None:
    """Close every connection the engine on `engine_port` serves and wait for their threads
    to let go, a `$disconnect` under way included (a client that does not answer the close
    frame is cut off)."""
    with _lock:
        closing = [c for c in _live.values() if c.engine_port == engine_port]
    for connection in closing:
        connection.engine_stopping = True
        connection.channel.close(1001, "Going away")
    for connection in closing:
        if not connection.finished.wait(CLOSE_WAIT_SECONDS):
            connection.channel.abort()
            connection.finished.wait(CLOSE_WAIT_SECONDS)


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch % 1 * 1000):03d}Z"
