"""A local HTTP server that answers CloudFormation calls from a script: real botocore clients
talk to it, so their retry path runs end to end (Stubber would skip it)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.local_http import serving, url

OK_DESCRIBE = (
    "<DescribeStacksResponse><DescribeStacksResult><Stacks/></DescribeStacksResult>"
    "</DescribeStacksResponse>"
)


def error(code: str, message: str = "Rate exceeded") -> str:
    return (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
        f"<Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
    )


THROTTLED = (400, error("Throttling"))
INTERNAL = (500, error("InternalFailure", "internal"))
DENIED = (403, error("AccessDenied", "no"))
OK = (200, OK_DESCRIBE)


@dataclass
class Script:
    answers: list[tuple[int, str]] = field(default_factory=list)  # consumed in order, then OK
    requests: int = 0


@contextmanager
def scripted_server(script: Script) -> Iterator[str]:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                script.requests += 1
                status, body = script.answers.pop(0) if script.answers else OK
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    with serving(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as server:
        yield url(server)
