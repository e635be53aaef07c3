"""The latency a stack operation takes: the template's own metadata wins over the engine's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from orchestrator.sandbox import settings


@pytest.fixture(autouse=True)
def restore_settings() -> Iterator[None]:
    yield
    settings.forget("test")


def test_no_setting_means_no_latency(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.LATENCY_ENV, raising=False)
    settings.configure(endpoint="test", latency=None)

    assert settings.stack_latency(None) == 0.0


def test_the_environment_sets_the_engine_latency(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.LATENCY_ENV, "2.5")
    settings.configure(endpoint="test", latency=None)

    assert settings.server_latency() == 2.5


def test_the_start_argument_beats_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.LATENCY_ENV, "2.5")
    settings.configure(endpoint="test", latency=1.0)

    assert settings.stack_latency({}) == 1.0


def test_the_template_metadata_beats_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    settings.configure(endpoint="test", latency=3.0)

    assert settings.stack_latency({"FireflySandbox": {"Latency": 0}}) == 0.0
    assert settings.stack_latency({"FireflySandbox": {"Latency": "1.5"}}) == 1.5


def test_a_change_set_takes_its_own_latency_else_the_stacks() -> None:
    settings.configure(endpoint="test", latency=3.0)

    assert settings.change_set_latency({"FireflySandbox": {"ChangeSetLatency": 0.5}}) == 0.5
    assert settings.change_set_latency({"FireflySandbox": {"Latency": 1.5}}) == 1.5
    assert settings.change_set_latency({"FireflySandbox": {"ChangeSetLatency": "no"}}) == 3.0
    assert settings.change_set_latency(None) == 3.0


@pytest.mark.parametrize("bad", ["soon", -1, None, True, [1], float("nan")])
def test_an_invalid_template_latency_is_ignored(bad: object) -> None:
    settings.configure(endpoint="test", latency=3.0)

    assert settings.stack_latency({"FireflySandbox": {"Latency": bad}}) == 3.0


def test_an_invalid_environment_latency_means_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.LATENCY_ENV, "fast")
    settings.configure(endpoint="test", latency=None)

    assert settings.server_latency() == 0.0
