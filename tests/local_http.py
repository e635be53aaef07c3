"""A test's own HTTP server on 127.0.0.1, served from a thread and always stopped."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import HTTPServer
from typing import TypeVar

Server = TypeVar("Server", bound=HTTPServer)


@contextmanager
def serving(server: Server) -> Iterator[Server]:
    """`server` answering until the block ends; then shut down, closed and its thread joined.
    (shutdown() waits for the serve loop's next poll: a short one keeps teardown quick.)"""
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def url(server: HTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"
