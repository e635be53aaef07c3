"""Step Functions executions run their state machine (Pass, Task, Choice...) to an end.

moto's default backend leaves every execution RUNNING. moto ships an ASL interpreter behind its
`execute_state_machine` setting, in a second backend store; this fix turns it on, makes
CloudFormation create state machines in that same store (so the API sees them), and points the
interpreter's service calls (Task states) at this engine instead of moto's default port, signed
with the engine's handler pair (the engine's own work, as a handler's calls are) instead of
moto's fixed fake key, which the request guard refuses.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from moto.core.config import default_user_config
from moto.stepfunctions import models
from moto.stepfunctions.parser.asl.utils import boto_client
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

from orchestrator.sandbox import settings


def install() -> None:
    default_user_config.setdefault("stepfunctions", {})["execute_state_machine"] = True
    # CloudFormation's AWS::StepFunctions::StateMachine looks this module global up at call
    # time. (moto.stepfunctions.stepfunctions_backends stays: the server derives the URL routes
    # from that store's class.)
    models.stepfunctions_backends = stepfunctions_parser_backends  # type: ignore[assignment]
    boto_client.moto_server_port = _engine_port  # type: ignore[attr-defined]
    sdk = getattr(boto_client, "boto3")  # noqa: B009 - not re-exported: mypy would refuse
    if not isinstance(sdk, SimpleNamespace):  # install once
        signed = SimpleNamespace(
            client=lambda **kwargs: sdk.client(**{**kwargs, **_engine_credentials()})
        )
        setattr(boto_client, "boto3", signed)  # noqa: B010


def _engine_credentials() -> dict[str, Any]:
    keys = settings.handler_keys(settings.endpoint())
    return {
        "aws_access_key_id": keys.access_key_id,
        "aws_secret_access_key": keys.secret_access_key,
        "aws_session_token": keys.session_token,
    }


def _engine_port() -> str:
    endpoint = settings.endpoint()
    port = urlsplit(endpoint).port if endpoint else None
    return str(port or 5000)  # moto's own default when no server of ours runs
