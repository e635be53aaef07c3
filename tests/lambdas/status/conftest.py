"""Fixtures of this package's tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.lambdas.status.helpers import (
    ASSEMBLY,
    TABLE,
    Clock,
    Receiver,
    ReceiverHandler,
    ReceiverServer,
    create_assemblies_table,
    put_assembly,
)
from tests.local_http import serving


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    handler = type("Handler", (ReceiverHandler,), {})
    server = ReceiverServer(("127.0.0.1", 0), handler)
    handler.receiver = Receiver(url=f"http://127.0.0.1:{server.server_port}/hooks/transflow?t=1")
    with serving(server):
        yield handler.receiver


@pytest.fixture
def dynamodb() -> Any:
    return create_assemblies_table()


@pytest.fixture
def index_path(tmp_path: Path) -> Path:
    return tmp_path / "templates.index.json"


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch, dynamodb: Any, index_path: Path) -> None:
    monkeypatch.setenv("DYNAMODB_TABLE", TABLE)
    monkeypatch.setenv("TRANSFLOW_PROJECT", "firefly")
    monkeypatch.setenv("TEMPLATES_INDEX_PATH", str(index_path))
    put_assembly(dynamodb, ASSEMBLY)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(
    configure: None,
    load_function: Callable[..., ModuleType],
    monkeypatch: pytest.MonkeyPatch,
    clock: Clock,
) -> ModuleType:
    module = load_function("status")
    monkeypatch.setattr(module, "CLOCK", clock)
    monkeypatch.setattr(module, "SLEEP", clock.sleep)
    return module
