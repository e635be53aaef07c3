"""The API Gateway v2 APIs the engine holds, found by id in whichever account and region made
them (an API id is unique across the engine, as it is across AWS)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moto.apigatewayv2.models import apigatewayv2_backends


@dataclass(frozen=True)
class FoundApi:
    """An API (moto's model) and where it lives."""

    api: Any
    account_id: str
    region: str


def find_api(api_id: str) -> FoundApi | None:
    for account_id, regions in list(apigatewayv2_backends.items()):
        for region, backend in list(regions.items()):
            api = backend.apis.get(api_id)
            if api is not None:
                return FoundApi(api, str(account_id), str(region))
    return None
