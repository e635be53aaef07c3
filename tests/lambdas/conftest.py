"""Fixtures for Lambda tests: handlers load as the Lambda runtime loads them, AWS is moto."""

import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.lambdas.support import (
    EVENTS,
    LAMBDAS,
    LAYER,
    REGISTRATION_KEYS_TABLE,
    SESSIONS_TABLE,
    Hook,
    create_table,
)

# Modules load from the resolved folders put on sys.path below, so their __file__ starts with
# this prefix: a string test, because resolving every path in sys.modules costs seconds a run.
_LAMBDAS_PREFIX = f"{LAMBDAS}{os.sep}"

# moto gives every test a fresh default session, and each fresh session re-reads the large
# service models (~60 ms a client, ~0.3 s a cold start). Every client, the handlers' and the
# tests' own (boto3.client()), comes from this one instead; requests still go to moto, and the
# credentials are resolved at the first client, from the fake environment below.
AWS = boto3.session.Session(region_name="us-east-1")


def _forget_lambda_modules() -> None:
    # Functions reuse module names (app, handlers, utils); a stale one from another
    # function's folder must never be found, as in the runtime where each has its own process.
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if isinstance(file, str) and file.startswith(_LAMBDAS_PREFIX):
            del sys.modules[name]


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials and moto for every Lambda test, so nothing can reach real AWS."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        # mock_aws patches DEFAULT_SESSION to None and restores it when it stops.
        boto3.DEFAULT_SESSION = AWS
        yield


@pytest.fixture
def load_function(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., ModuleType]]:
    """Import `lambdas/<folder>/<module>.py` with its folder and the layer on sys.path.

    Set the function's environment variables (monkeypatch.setenv) and create its tables and
    buckets before calling it: module-level clients and settings are read at import, as in a
    cold start.
    """

    def load(folder: str, module: str = "app") -> ModuleType:
        _forget_lambda_modules()
        monkeypatch.syspath_prepend(str(LAYER))
        monkeypatch.syspath_prepend(str(LAMBDAS / folder))
        return importlib.import_module(module)

    yield load
    _forget_lambda_modules()


@pytest.fixture
def event() -> Callable[..., dict[str, Any]]:
    """Load a sample event in its real AWS shape from tests/events/<name>.json."""

    def load(name: str) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
        return loaded

    return load


@pytest.fixture
def sessions_table(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The QR-upload sessions table (seed 004), named in SESSIONS_TABLE_NAME."""
    monkeypatch.setenv("SESSIONS_TABLE_NAME", SESSIONS_TABLE)
    return create_table(SESSIONS_TABLE, "sessionId", ttl_attribute="expiresAt")


@pytest.fixture
def registration_keys_table(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The `firefly-registration-keys` table (seed 001), named in REGISTRATION_KEYS_TABLE_NAME."""
    monkeypatch.setenv("REGISTRATION_KEYS_TABLE_NAME", REGISTRATION_KEYS_TABLE)
    return create_table(REGISTRATION_KEYS_TABLE, "registration_key", ttl_attribute="expires_at")


@pytest.fixture
def hook() -> Iterator[Hook]:
    """Register a botocore event hook on a client (a handler's, to inject a failure or a
    concurrent write at an exact point) for this test only."""
    registered: list[tuple[Any, str, Callable[..., Any]]] = []

    def register(client: Any, event_name: str, handler: Callable[..., Any]) -> None:
        client.meta.events.register(event_name, handler)
        registered.append((client, event_name, handler))

    yield register
    for client, event_name, handler in registered:
        client.meta.events.unregister(event_name, handler)
