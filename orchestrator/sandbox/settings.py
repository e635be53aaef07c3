"""What the running engine was started with: its endpoint, its handlers' key pair and its
stack-operation latency.

The server sets these once at start; the fixes read them (the Lambda runner points handlers'
boto3 at `endpoint()` with `handler_keys(endpoint)`, the CloudFormation fixes hold stacks
`*_IN_PROGRESS` for `stack_latency(...)` and change sets `CREATE_IN_PROGRESS` for
`change_set_latency(...)`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

from orchestrator.sandbox.guard.keys import KeyPair

LATENCY_ENV = "FIREFLY_SANDBOX_LATENCY"
METADATA_KEY = "FireflySandbox"

# what a handler signs with when no engine of this process answers at its endpoint: a key that
# no engine accepts
_NO_ENGINE = KeyPair("ASIANOENGINE00000000", "no-engine", "no-engine")


@dataclass(frozen=True)
class _Engine:
    endpoint: str | None
    latency: float | None
    handler_keys: KeyPair | None


# The engines this process runs, newest last (tests run more than one); the newest one is
# the engine handlers are pointed at and whose latency applies.
_engines: list[_Engine] = []


def parse_latency(value: object) -> float | None:
    """Seconds as a finite, non-negative float; None when `value` is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def configure(
    *, endpoint: str | None, latency: float | None, handler_keys: KeyPair | None = None
) -> None:
    """Record a started engine; `latency=None` defers to $FIREFLY_SANDBOX_LATENCY."""
    _engines.append(_Engine(endpoint, latency, handler_keys))


def forget(endpoint: str) -> None:
    """Drop a stopped engine, so that the fixes fall back to the one still running."""
    _engines[:] = [engine for engine in _engines if engine.endpoint != endpoint]


def endpoint() -> str | None:
    """The URL this engine answers on, once its server has started."""
    return _engines[-1].endpoint if _engines else None


def handler_keys(at: str | None) -> KeyPair:
    """What the Lambda handlers of the engine at `at` sign their calls with."""
    found = [e.handler_keys for e in _engines if e.endpoint == at and e.handler_keys is not None]
    return found[-1] if found else _NO_ENGINE


def server_latency() -> float:
    """The latency of every stack operation: the start argument, else the environment, else 0."""
    latency = _engines[-1].latency if _engines else None
    if latency is not None:
        return latency
    return parse_latency(os.environ.get(LATENCY_ENV, "")) or 0.0


def stack_latency(template_metadata: Mapping[str, object] | None) -> float:
    """The latency for one stack: `Metadata.FireflySandbox.Latency` of its template wins.

    `template_metadata` is the template's top-level `Metadata` section (or None). An invalid
    value there is ignored, as CloudFormation ignores unknown metadata.
    """
    own = _template_setting(template_metadata, "Latency")
    return own if own is not None else server_latency()


def change_set_latency(template_metadata: Mapping[str, object] | None) -> float:
    """How long a change set of this template takes to create: its
    `Metadata.FireflySandbox.ChangeSetLatency`, else the stack's latency (`stack_latency`).

    On AWS a change set takes its own time to compute (CREATE_PENDING, CREATE_IN_PROGRESS, then
    CREATE_COMPLETE: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html),
    unrelated to how long executing it takes; schedules are measured with both.
    """
    own = _template_setting(template_metadata, "ChangeSetLatency")
    return own if own is not None else stack_latency(template_metadata)


def _template_setting(template_metadata: Mapping[str, object] | None, name: str) -> float | None:
    section = (template_metadata or {}).get(METADATA_KEY)
    return parse_latency(section.get(name)) if isinstance(section, Mapping) else None
