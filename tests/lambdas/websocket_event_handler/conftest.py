"""Fixtures of this package's tests."""

import logging
from collections.abc import Callable, Iterator
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from tests.lambdas.support import (
    captured_logs,
)
from tests.lambdas.websocket_event_handler.helpers import (
    ENDPOINT,
    LOGGERS,
    NOW,
)


@pytest.fixture
def table(sessions_table: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("WS_API_ENDPOINT", ENDPOINT)
    return sessions_table


@pytest.fixture
def app(
    load_function: Callable[..., ModuleType], table: Any, monkeypatch: pytest.MonkeyPatch
) -> ModuleType:
    loaded = load_function("websocket_event_handler", module="lambda_function")
    # Only the handlers' clock: botocore and moto keep the real one.
    frozen = SimpleNamespace(time=lambda: NOW + 0.5)
    monkeypatch.setattr(loaded.websocket_connect, "time", frozen)
    monkeypatch.setattr(loaded.s3_upload_completion, "time", frozen)
    return loaded


@pytest.fixture
def logs(app: ModuleType) -> Iterator[list[logging.LogRecord]]:
    with captured_logs(LOGGERS) as records:
        yield records
