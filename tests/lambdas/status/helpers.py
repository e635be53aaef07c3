"""Constants and helpers the tests of this package share."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
from boto3.dynamodb.types import TypeSerializer

TABLE = "firefly-assemblies"
ASSEMBLY_ID = "3f9a1c0e7b2d4f6a8c1e3b5d7f9a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f5a"
SECRET = "whsec_5f1c9a"
HEADERS = {"Content-Type": "application/json", "Cache-Control": "no-cache"}
ASSEMBLY = {
    "assembly_id": ASSEMBLY_ID,
    "ok": "ASSEMBLY_COMPLETED",
    "message": "Processing completed",
    "template_id": "tpl_basic_audio",
    "user": {"userId": "user_456"},
    "uploads": [{"id": "u1", "name": "a.wav", "basename": "a", "ext": "wav", "size": 1024}],
    "results": {"mp3": [{"id": "r1", "name": "a.mp3", "size": 512, "ssl_url": "https://x/a"}]},
    "execution_duration": Decimal("5.2"),
    "bytes_expected": 1024,
    "created_at": "2024-05-01T10:00:00.000Z",
    "updated_at": "2024-05-01T10:00:05.200Z",
}
# The same assembly as JSON data: numbers come back as int or float.
ASSEMBLY_JSON = {**ASSEMBLY, "execution_duration": 5.2}

# --- a webhook receiver -----------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


HOLD_DEADLINE = 60.0  # seconds a held reply waits for the retry before it is sent anyway


@dataclass
class Receiver:
    """Answers each POST with the next scripted status (200 once the script runs out). The
    replies to the first `held` requests wait until a later request has arrived: the client
    gave up on them and retried, whatever time that took."""

    url: str
    script: list[int] = field(default_factory=list)
    held: int = 0
    received: list[Received] = field(default_factory=list)
    arrivals: threading.Condition = field(default_factory=threading.Condition)


class ReceiverHandler(BaseHTTPRequestHandler):
    receiver: Receiver

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        receiver = self.receiver
        with receiver.arrivals:
            receiver.received.append(Received(self.path, dict(self.headers.items()), body))
            arrived = len(receiver.received)
            # The reply is chosen on arrival, so a held request cannot take a later one's.
            status = receiver.script.pop(0) if receiver.script else 200
            receiver.arrivals.notify_all()
            if arrived <= receiver.held:
                receiver.arrivals.wait_for(
                    lambda: len(receiver.received) > arrived, timeout=HOLD_DEADLINE
                )
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        pass


class ReceiverServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # The client hanging up on a held reply (the timeout test) is expected, not noise.
        pass


# --- the function under test ------------------------------------------------------------------


def create_assemblies_table(region: str = "us-east-1") -> Any:
    client = boto3.client("dynamodb", region_name=region)
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "assembly_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "assembly_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return client


def put_assembly(dynamodb: Any, item: dict[str, Any]) -> None:
    serializer = TypeSerializer()
    dynamodb.put_item(
        TableName=TABLE, Item={name: serializer.serialize(value) for name, value in item.items()}
    )


def write_index(path: Path, index: Any) -> None:
    path.write_text(json.dumps(index))


@dataclass
class Clock:
    """Backoff sleeps advance this clock instead of the wall clock: no test really waits."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class Context:
    remaining_ms: int = 30_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def webhook_headers(response: dict[str, Any]) -> dict[str, str]:
    return {k: v for k, v in response["headers"].items() if k.startswith("X-Webhook-")}


def invoke(app: ModuleType, request: dict[str, Any] | Any, context: Any = None) -> dict[str, Any]:
    return app.lambda_handler(request, context or Context())  # type: ignore[no-any-return]


def hooked(receiver: Receiver, secret: str = SECRET) -> dict[str, Any]:
    return {
        "tpl_basic_audio": {
            "id": "tpl_basic_audio",
            "webhookUrl": receiver.url,
            "webhookSecret": secret,
        }
    }


WEBHOOK = {"assemblyId": ASSEMBLY_ID, "userId": "user_456", "triggerWebhook": True}
