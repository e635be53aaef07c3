"""How soon the poller first looks depends on the engine: at once on the engine firefly started
with no latency (it ends each operation within the call), at the poller's own pace elsewhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from orchestrator import connect
from orchestrator.aws.cloudformation import CloudFormationStacks
from orchestrator.manifest import read_manifest
from orchestrator.sandbox import lifecycle
from orchestrator.sandbox.guard.keys import EngineKeys, KeyPair
from orchestrator.sandbox.lifecycle import SandboxInfo
from tests.conftest import MANIFEST
from tests.sandbox_access import engine_variables, publish


def engine(latency: float) -> SandboxInfo:
    return SandboxInfo(
        pid=1,
        port=4566,
        endpoint="http://127.0.0.1:4566",
        latency=latency,
        started_at="2026-01-01T00:00:00+00:00",
        log_path=Path("sandbox.log"),
        answering=True,
        credentials=KeyPair.generate(),
    )


@pytest.fixture
def first_looks(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The `first_interval` each CloudFormationStacks of the test was made with."""
    seen: list[float] = []

    def recording(client: Any, **options: Any) -> CloudFormationStacks:
        seen.append(options.get("first_interval", -1.0))
        return CloudFormationStacks(client, **options)

    monkeypatch.setattr(connect, "CloudFormationStacks", recording)
    monkeypatch.delenv("FIREFLY_SANDBOX_ENDPOINT", raising=False)
    return seen


def open_local() -> None:
    manifest, problems = read_manifest(MANIFEST)
    assert manifest is not None, problems
    connect.open_environment(manifest, "local")


@pytest.mark.parametrize(
    ("latency", "first_look"), [(0.0, connect.INSTANT_ENGINE_FIRST_LOOK), (2.0, -1.0)]
)
def test_the_first_look_is_soon_only_on_an_engine_without_latency(
    first_looks: list[float], monkeypatch: pytest.MonkeyPatch, latency: float, first_look: float
) -> None:
    monkeypatch.setattr(lifecycle, "ensure_running", lambda port: (engine(latency), False))

    open_local()

    assert first_looks == [first_look]


def test_a_given_engine_keeps_the_pollers_pace(
    first_looks: list[float], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in engine_variables("http://127.0.0.1:4566", tmp_path).items():
        monkeypatch.setenv(name, value)
    publish(EngineKeys.generate(), tmp_path)

    open_local()

    assert first_looks == [-1.0]  # its latency is unknown (a bench's proxy, an engine with one)
