"""S3 event notifications invoke their Lambda function asynchronously.

S3 delivers an event to Lambda with an asynchronous (`Event`) invocation; moto invokes the
function synchronously inside the request that stored the object, which would hold a PutObject
until the handler (now a real one) has finished.
"""

from __future__ import annotations

import json
from typing import Any

from moto.awslambda.models import lambda_backends
from moto.s3 import notifications

_MARK = "_firefly_async"
EVENT_INVOCATION = {"X-Amz-Invocation-Type": "Event"}


def install() -> None:
    if getattr(notifications._invoke_awslambda, _MARK, False):
        return
    setattr(_invoke_asynchronously, _MARK, True)
    notifications._invoke_awslambda = _invoke_asynchronously


def _invoke_asynchronously(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None:
    try:
        function = lambda_backends[account_id][region_name].get_function(fn_arn)
    except Exception:  # a notification to a deleted function is dropped, as moto and S3 do
        return
    function.invoke(json.dumps(event_body), EVENT_INVOCATION, {})
