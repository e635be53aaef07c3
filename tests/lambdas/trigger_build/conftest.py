"""Fixtures of this package's tests."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import boto3
import pytest

from tests.lambdas.support import (
    BUILDS_TABLE,
    create_builds_table,
    create_state_machine,
)
from tests.lambdas.trigger_build.helpers import (
    BUCKET,
)


@pytest.fixture
def dynamodb() -> Any:
    return create_builds_table()


@pytest.fixture
def sfn() -> Any:
    return boto3.client("stepfunctions")


@pytest.fixture
def state_machine() -> str:
    return create_state_machine()


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch, dynamodb: Any, state_machine: str) -> None:
    monkeypatch.setenv("DYNAMODB_TABLE_NAME", BUILDS_TABLE)
    monkeypatch.setenv("STATE_MACHINE_ARN", state_machine)
    monkeypatch.setenv("S3_BUCKET_NAME", BUCKET)
    monkeypatch.delenv("ENV", raising=False)
    monkeypatch.delenv("VERSION", raising=False)


@pytest.fixture
def app(configure: None, load_function: Callable[..., ModuleType]) -> ModuleType:
    return load_function("trigger-build")
