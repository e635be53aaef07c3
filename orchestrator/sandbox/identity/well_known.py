"""The public documents of the engine's user pools, served unsigned on its port as Cognito serves
them under each issuer: `/{poolId}/.well-known/jwks.json` and
`/{poolId}/.well-known/openid-configuration`
(https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from moto.cognitoidp.models import cognitoidp_backends

from orchestrator.sandbox.identity import signing_key

_PATH = re.compile(
    r"^/(?P<pool>[\w-]+_[0-9A-Za-z]+)/\.well-known/(?P<doc>jwks\.json|openid-configuration)$"
)


def is_well_known(environ: dict[str, Any]) -> bool:
    return environ.get("REQUEST_METHOD") in ("GET", "HEAD") and bool(
        _PATH.match(environ.get("PATH_INFO", ""))
    )


def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    found = _PATH.match(environ.get("PATH_INFO", ""))
    region = _pool_region(found["pool"]) if found else None
    if found is None or region is None:
        status, document = "404 Not Found", {"message": "User pool does not exist."}
    elif found["doc"] == "jwks.json":
        status, document = "200 OK", signing_key.public_jwks()
    else:
        status, document = "200 OK", _openid_configuration(found["pool"], region)
    body = json.dumps(document).encode()
    head = environ.get("REQUEST_METHOD") == "HEAD"
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [b"" if head else body]


def _pool_region(pool_id: str) -> str | None:
    for regions in list(cognitoidp_backends.values()):
        for region, backend in list(regions.items()):
            if pool_id in backend.user_pools:
                return str(region)
    return None


def _openid_configuration(pool_id: str, region: str) -> dict[str, Any]:
    issuer = signing_key.issuer(pool_id, region)
    return {
        "issuer": issuer,
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "response_types_supported": ["code", "token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [signing_key.ALGORITHM],
    }
