"""shared.logging: one JSON object per line on stdout, for CloudWatch Logs Insights."""

import io
import json
import logging
import sys
from pathlib import Path

import pytest

from tests.lambdas.support import import_pure, log_lines

shared_logging = import_pure("shared.logging")


def test_one_json_object_per_line_with_extra_fields(capsys: pytest.CaptureFixture[str]) -> None:
    logger = shared_logging.get_logger("test-shared-logging-a")

    logger.info("first", extra={"zip_name": "fw.zip", "count": 2})
    logger.warning("second")

    first, second = log_lines(capsys)
    assert first == {
        "level": "INFO",
        "message": "first",
        "logger": "test-shared-logging-a",
        "zip_name": "fw.zip",
        "count": 2,
    }
    assert second["level"] == "WARNING"


def test_exceptions_carry_their_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    logger = shared_logging.get_logger("test-shared-logging-b")
    try:
        raise ValueError("bad")
    except ValueError:
        logger.exception("failed")

    (line,) = log_lines(capsys)
    assert line["level"] == "ERROR"
    assert "ValueError: bad" in str(line["traceback"])


def test_values_json_cannot_encode_are_stringified(capsys: pytest.CaptureFixture[str]) -> None:
    shared_logging.get_logger("test-shared-logging-c").info("x", extra={"path": Path("/a")})

    assert log_lines(capsys)[0]["path"] == "/a"


def test_a_reimported_module_does_not_duplicate_lines(capsys: pytest.CaptureFixture[str]) -> None:
    # A re-run of init (or a test reloading the layer) defines new classes; the logger is global.
    shared_logging.get_logger("test-shared-logging-d")
    sys.modules.pop("shared.logging", None)
    fresh = import_pure("shared.logging")
    sys.modules["shared.logging"] = shared_logging

    fresh.get_logger("test-shared-logging-d").info("once")

    assert len(log_lines(capsys)) == 1
    assert len(logging.getLogger("test-shared-logging-d").handlers) == 1


def test_lines_follow_the_current_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    # The handler outlives the stdout it was created with (a closed capture, a new runtime stream).
    logger = shared_logging.get_logger("test-shared-logging-e")
    replacement = io.StringIO()
    monkeypatch.setattr(sys, "stdout", replacement)

    logger.info("here")

    assert json.loads(replacement.getvalue())["message"] == "here"


def test_a_context_logger_adds_its_fields_to_every_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = shared_logging.get_logger("test-shared-logging-f")
    logger = shared_logging.ContextLogger(base, {"deployer_env": "prd", "project": "firefly"})

    logger.info("plain")
    logger.warning("with fields", extra={"sequence": "1", "project": "override"})

    plain, with_fields = log_lines(capsys)
    assert (plain["deployer_env"], plain["project"]) == ("prd", "firefly")
    # The call's own fields are kept beside the fixed ones, and win a clash.
    assert with_fields["sequence"] == "1"
    assert (with_fields["deployer_env"], with_fields["project"]) == ("prd", "override")
    assert with_fields["level"] == "WARNING"
