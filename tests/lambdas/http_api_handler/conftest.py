"""Fixtures of this package's tests."""

import logging
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

from tests.lambdas.http_api_handler.helpers import (
    BUCKET,
    LOGGERS,
    NOW,
    freeze,
)
from tests.lambdas.support import captured_logs


@pytest.fixture
def table(sessions_table: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("UPLOAD_BUCKET_NAME", BUCKET)
    return sessions_table


@pytest.fixture
def app(
    load_function: Callable[..., ModuleType], table: Any, monkeypatch: pytest.MonkeyPatch
) -> ModuleType:
    loaded = load_function("http_api_handler", module="lambda_function")
    freeze(loaded, monkeypatch, NOW + 0.75)
    return loaded


@pytest.fixture
def logs(app: ModuleType) -> Iterator[list[logging.LogRecord]]:
    with captured_logs(LOGGERS) as records:
        yield records
