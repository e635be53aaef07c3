"""An HTTP API's ApiEndpoint is where the engine serves it, not `https://{api-id}.execute-api.
{region}.amazonaws.com`: the served API answers on the engine's port (`apis.addresses`), so the
stack outputs made from `!GetAtt Api.ApiEndpoint`, and the Lambda environments configured from
them, point at the engine."""

from __future__ import annotations

import functools
from typing import Any

from moto.apigatewayv2.models import Api

from orchestrator.sandbox import settings
from orchestrator.sandbox.apis.addresses import local_url

_MARK = "_firefly_http_endpoint"


def install() -> None:
    if getattr(Api.__init__, _MARK, False):
        return
    original = Api.__init__

    @functools.wraps(original)  # keeps the other fixes' marks: each installs once
    def init(self: Api, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        endpoint = settings.endpoint()
        if str(self.protocol_type).upper() == "HTTP" and endpoint is not None:
            self.api_endpoint = local_url(self.api_id, endpoint)

    setattr(init, _MARK, True)
    setattr(Api, "__init__", init)  # noqa: B010
