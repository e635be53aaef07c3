"""shared.config: required and optional environment variables."""

import pytest

from tests.lambdas.support import import_pure

config = import_pure("shared.config")


def test_require_env_returns_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREFLY_TEST_VAR", "table-1")

    assert config.require_env("FIREFLY_TEST_VAR") == "table-1"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_require_env_names_the_missing_variable(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("FIREFLY_TEST_VAR", raising=False)
    else:
        monkeypatch.setenv("FIREFLY_TEST_VAR", value)

    with pytest.raises(config.MissingEnvironmentVariableError) as raised:
        config.require_env("FIREFLY_TEST_VAR")

    assert str(raised.value) == "FIREFLY_TEST_VAR environment variable is required"
    assert raised.value.name == "FIREFLY_TEST_VAR"
    assert isinstance(raised.value, RuntimeError)


def test_optional_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIREFLY_TEST_VAR", raising=False)
    assert config.optional_env("FIREFLY_TEST_VAR") is None
    monkeypatch.setenv("FIREFLY_TEST_VAR", " ")
    assert config.optional_env("FIREFLY_TEST_VAR") is None
    monkeypatch.setenv("FIREFLY_TEST_VAR", " bucket ")
    assert config.optional_env("FIREFLY_TEST_VAR") == "bucket"
