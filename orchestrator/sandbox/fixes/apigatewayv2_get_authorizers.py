"""API Gateway v2 GetAuthorizers lists an API's authorizers.

moto implements GetAuthorizer but not GetAuthorizers: the server answers HTTP 500.
"""

from __future__ import annotations

import json

from moto.apigatewayv2.responses import ApiGatewayV2Response
from moto.core.common_types import TYPE_RESPONSE

_MARK = "_firefly_get_authorizers"


def install() -> None:
    if getattr(ApiGatewayV2Response, _MARK, False):
        return
    setattr(ApiGatewayV2Response, "get_authorizers", _get_authorizers)  # noqa: B010
    setattr(ApiGatewayV2Response, _MARK, True)


def _get_authorizers(self: ApiGatewayV2Response) -> TYPE_RESPONSE:
    api_id = self.path.split("/")[-2]  # /v2/apis/{apiId}/authorizers
    api = self.apigatewayv2_backend.get_api(api_id)  # ApiNotFound -> NotFoundException
    items = [authorizer.to_json() for authorizer in api.authorizers.values()]
    return 200, {}, json.dumps({"items": items})
