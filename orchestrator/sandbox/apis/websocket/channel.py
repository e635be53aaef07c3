"""One WebSocket connection on the raw socket of the HTTP request that asked for it.

werkzeug's development server hands the request's socket to the application
(`environ["werkzeug.socket"]`); the handshake answer and the frames go over it directly, framed by
the `websockets` library's sans-I/O protocol (RFC 6455: handshake, masking, fragments, ping/pong
and the closing handshake), while the request's own thread reads. Writes come from that thread
and from `@connections` calls on other threads, hence one lock around the protocol.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from websockets.frames import Frame, Opcode
from websockets.http11 import Request, Response
from websockets.protocol import State
from websockets.server import ServerProtocol

_READ_SIZE = 65536
# how often a blocked read looks up from the socket to see whether a close it sent went unanswered
_POLL_SECONDS = 0.5
_CLOSE_ANSWER_SECONDS = 5.0


class HandshakeError(Exception):
    """The upgrade request is not a valid WebSocket handshake."""


def raw_request(environ: dict[str, Any]) -> bytes:
    """The upgrade request as the client sent it, rebuilt from the WSGI environ (werkzeug has
    already read it off the socket)."""
    target = environ.get("REQUEST_URI") or environ.get("RAW_URI") or environ.get("PATH_INFO", "/")
    lines = [f"GET {target} HTTP/1.1"]
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            lines.append(f"{key[5:].replace('_', '-').title()}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Channel:
    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._protocol = ServerProtocol()
        self._lock = threading.Lock()
        self._close_sent_at: float | None = None

    def handshake(self, raw: bytes) -> Request:
        self._protocol.receive_data(raw)
        events = self._protocol.events_received()
        if not events or not isinstance(events[0], Request):
            raise HandshakeError(str(self._protocol.handshake_exc or "not a WebSocket handshake"))
        return events[0]

    def answer(self, request: Request) -> Response:
        """The handshake's answer: 101, or what is wrong with the request."""
        return self._protocol.accept(request)

    def open(self, response: Response) -> None:
        """Send the 101 answer: from now on the socket carries frames."""
        with self._lock:
            self._protocol.send_response(response)
            self._flush()

    def send(self, data: str | bytes) -> None:
        """One message to the client: a text frame, or a binary one for bytes that are not
        UTF-8."""
        if isinstance(data, bytes):
            with contextlib.suppress(UnicodeDecodeError):
                data = data.decode()
        with self._lock:
            if self._protocol.state is not State.OPEN:
                raise ConnectionError("the connection is closing")
            if isinstance(data, str):
                self._protocol.send_text(data.encode())
            else:
                self._protocol.send_binary(data)
            self._flush()

    @property
    def close_code(self) -> int:
        """The code of the close frame that ended the connection (1006: none came)."""
        close = self._protocol.close_rcvd or self._protocol.close_sent
        return int(close.code) if close is not None else 1006

    @property
    def close_reason(self) -> str:
        close = self._protocol.close_rcvd or self._protocol.close_sent
        return close.reason if close is not None else ""

    def close(self, code: int, reason: str) -> None:
        """Start the closing handshake; the reading thread ends when the client answers."""
        with self._lock:
            if self._protocol.state is State.OPEN:
                self._protocol.send_close(code, reason)
                self._close_sent_at = time.monotonic()
                self._flush()

    def abort(self) -> None:
        """Cut the connection without waiting for the client."""
        with contextlib.suppress(OSError):  # already gone
            self._sock.shutdown(socket.SHUT_RDWR)

    def messages(self) -> Iterator[str | bytes]:
        """Each message the client sends, until the connection closes."""
        self._sock.settimeout(_POLL_SECONDS)
        parts: list[Frame] = []
        while self._protocol.state is not State.CLOSED:
            data = self._read()
            if data is None:
                continue
            with self._lock:
                if data:
                    self._protocol.receive_data(data)
                else:
                    self._protocol.receive_eof()
                events = self._protocol.events_received()
                self._flush()  # pongs and the answer to a close
            for event in events:
                if isinstance(event, Frame) and event.opcode in _DATA:
                    parts.append(event)
                    if event.fin:
                        yield _joined(parts)
                        parts = []
            if self._protocol.close_expected():
                self.abort()  # the client has the close frame; nothing more will come
                return

    def _read(self) -> bytes | None:
        """The next bytes from the client (b"" at its end); None after a quiet interval."""
        try:
            return self._sock.recv(_READ_SIZE)
        except TimeoutError:
            sent = self._close_sent_at
            if sent is not None and time.monotonic() - sent > _CLOSE_ANSWER_SECONDS:
                return b""  # the client never answered our close: treat it as gone
            return None
        except OSError:
            return b""

    def _flush(self) -> None:
        for chunk in self._protocol.data_to_send():
            try:
                if chunk:
                    self._sock.sendall(chunk)
                else:  # the protocol is done writing: half-close, as RFC 6455 wants
                    self._sock.shutdown(socket.SHUT_WR)
            except OSError:
                return  # the client is gone; the reader sees it next


_DATA = (Opcode.TEXT, Opcode.BINARY, Opcode.CONT)


def _joined(parts: list[Frame]) -> str | bytes:
    payload = b"".join(bytes(part.data) for part in parts)
    return payload.decode(errors="replace") if parts[0].opcode is Opcode.TEXT else payload
