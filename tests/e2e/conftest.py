"""End to end on the sandbox: the real CLI, the real engine, the repository's manifest."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestrator.sandbox.lifecycle import SandboxInfo
from tests.conftest import MANIFEST, CliResult
from tests.sandbox_access import session, use_engine

Firefly = Callable[..., CliResult]


@pytest.fixture
def on_engine(sandbox_engine: SandboxInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test's firefly commands reach the session's engine, as from a terminal."""
    use_engine(monkeypatch, sandbox_engine)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


@pytest.fixture
def local(on_engine: None, firefly: Firefly) -> Iterator[Firefly]:
    """`local("deploy", ...)`: firefly on the repository's manifest against the test engine."""

    def run(*argv: str) -> CliResult:
        return firefly(*argv, "--manifest", str(MANIFEST))

    yield run


@pytest.fixture
def aws(sandbox_engine: SandboxInfo) -> Callable[[str], Any]:
    assert sandbox_engine.credentials is not None
    client = session(sandbox_engine.credentials)
    return lambda service: client.client(service, endpoint_url=sandbox_engine.endpoint)


def read_report(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
