"""Structured JSON logging for CloudWatch Logs Insights: one JSON object per line."""

import json
import logging
import sys
import traceback
from collections.abc import MutableMapping
from typing import Any, TextIO

_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None)))
# Handlers are recognised by name, not by class: a re-imported module defines a new class, and an
# isinstance check would then stack a second handler and duplicate every line.
_HANDLER_NAME = "shared.logging.json-stdout"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _RESERVED})
        if record.exc_info:
            entry["traceback"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(entry, default=str)


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stdout is at emit time.

    Loggers are process-global and outlive a re-imported handler module (a warm container
    re-running init, a test capturing output): binding the stream once would keep writing to a
    stdout that has since been replaced or closed.
    """

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property
    def stream(self) -> TextIO:
        return sys.stdout

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def get_logger(name: str) -> logging.Logger:
    """A logger writing JSON lines to stdout; extra fields go in `extra={...}`."""
    logger = logging.getLogger(name)
    if not any(h.get_name() == _HANDLER_NAME for h in logger.handlers):
        handler = _StdoutHandler()
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


class ContextLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """Adds fixed fields (a function's deployment labels) to every line it logs.

    The stdlib adapter replaces a call's `extra` with its own (Python 3.13 adds merge_extra for
    this; the runtime is 3.11): merge them instead, the call's fields winning.
    """

    def process(
        self, msg: Any, kwargs: MutableMapping[str, Any]
    ) -> tuple[Any, MutableMapping[str, Any]]:
        kwargs["extra"] = {**(self.extra or {}), **kwargs.get("extra", {})}
        return msg, kwargs
