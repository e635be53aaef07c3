"""What several Lambda test files need besides fixtures: module loaders, log capture, settings.

Fixtures live in conftest.py; these are plain functions so that tests can use them at module
level (a pure module imported once per file) and inside hypothesis tests.
"""

import importlib
import json
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

LAMBDAS = Path(__file__).resolve().parents[2] / "lambdas"
LAYER = LAMBDAS / "shared" / "python"
EVENTS = Path(__file__).resolve().parents[1] / "events"

# The tables the helpers below and the conftest fixtures create.
SESSIONS_TABLE = "qr-upload-sessions-test"
REGISTRATION_KEYS_TABLE = "firefly-registration-keys"
BUILDS_TABLE = "dev-aws-deployer--builds"

# The `hook` fixture: register(client, botocore event name, handler), undone after the test.
Hook = Callable[[Any, str, Callable[..., Any]], None]

# deadline=None: the machine is shared and moto-backed examples vary in speed; no example
# database, because the tree is shared and the examples are cheap to find again; too_slow off,
# because regex strategies pay a one-off compile on a loaded machine. Tests refine it with
# settings(PROPERTY, max_examples=...).
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Any JSON document, small enough to keep examples fast: what a hostile client or a broken
# producer can put wherever a handler expects something else.
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def import_pure(name: str, folder: str | None = None) -> ModuleType:
    """Import a module that creates no client and reads no setting at import, once per file.

    `name` is a layer module (`shared.validators`) or, with `folder`, a module of that function
    (`model` in `status`). The paths leave sys.path right after the import, and a cached module
    of the same name (another function's `app`) is not reused; load_function's per-test reload
    is for handlers, whose import is a cold start.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(LAYER))
        if folder is not None:
            patch.syspath_prepend(str(LAMBDAS / folder))
        patch.delitem(sys.modules, name, raising=False)
        return importlib.import_module(name)


def create_table(name: str, key: str, ttl_attribute: str | None = None) -> Any:
    """A pay-per-request table keyed by one string attribute, in moto."""
    table = boto3.resource("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    if ttl_attribute:
        table.meta.client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute},
        )
    return table


def create_builds_table() -> Any:
    """trigger-build's table (seed 003): pk/sk keys and the stream that feeds the function."""
    client = boto3.client("dynamodb")
    client.create_table(
        TableName=BUILDS_TABLE,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return client


def create_state_machine() -> str:
    """A deployment state machine for trigger-build to start; its ARN."""
    definition = {"StartAt": "Deploy", "States": {"Deploy": {"Type": "Succeed"}}}
    arn: str = boto3.client("stepfunctions").create_state_machine(
        name="dev-deployer",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/dev-deployer-sfn",
    )["stateMachineArn"]
    return arn


@contextmanager
def captured_logs(names: Iterable[str]) -> Iterator[list[logging.LogRecord]]:
    """The records the named loggers emit inside the block (they do not propagate to root)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def assert_logged_with_traceback(records: list[logging.LogRecord], message: str) -> None:
    """An ERROR `message` was logged, and its JSON line carries the traceback."""
    formatter = sys.modules["shared.logging"].JsonFormatter()
    errors = [r for r in records if r.levelno == logging.ERROR and r.getMessage() == message]
    assert errors, [r.getMessage() for r in records]
    line = json.loads(formatter.format(errors[0]))
    assert line["level"] == "ERROR"
    assert "Traceback (most recent call last)" in line["traceback"]


def log_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """The JSON log lines written to stdout since the last call (shared.logging's output)."""
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
