"""Fixtures of this package's tests."""

from types import ModuleType
from typing import Any

import pytest

from tests.lambdas.firmware_status_patch.helpers import (
    ENV,
    FUNCTION,
    Load,
    provision,
)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


@pytest.fixture
def app(load_function: Load, environment: pytest.MonkeyPatch) -> ModuleType:
    """The handler, cold-started with the full configuration; tests that need another one
    cold-start their own copy with load_function."""
    loaded = load_function(FUNCTION)
    provision(loaded)
    return loaded


@pytest.fixture
def dynamodb(app: ModuleType) -> Any:
    return app.dynamodb


@pytest.fixture
def s3(app: ModuleType) -> Any:
    return app.s3
