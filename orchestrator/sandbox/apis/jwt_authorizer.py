"""An HTTP API's JWT authorizer, deciding a request as API Gateway does.

AWS semantics ("Controlling access to HTTP APIs with JWT authorizers",
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html): the
token is read from the identity source (`$request.header.Authorization`, a `Bearer ` prefix
dropped); it must be an RS256 JWT signed by a key of the issuer's JWKS, name the configured
`iss`, have an `aud` (or, without one, a `client_id`) among the configured audiences, not be
expired (`exp`) or early (`nbf`, `iat`), and, when the route lists authorization scopes, carry
one of them in `scope`/`scp`. A refused token gets 401 `{"message":"Unauthorized"}` with a
`www-authenticate` challenge, a token without a required scope 403 `{"message":"Forbidden"}`.
API Gateway does not look at Cognito's `token_use`: an ID token (its client id in `aud`) and an
access token (in `client_id`) both pass, and so here.

The issuer's keys: an issuer that names one of the engine's own user pools is read in-process
(`identity.signing_key`); any other issuer is refused, as the engine never reaches the network.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError

from orchestrator.sandbox.identity import signing_key

_CLOCK_SKEW = 0  # API Gateway grants no leeway on exp and nbf


@dataclass(frozen=True)
class Authorized:
    """The `requestContext.authorizer` member of the 2.0 event."""

    context: dict[str, Any]


@dataclass(frozen=True)
class Refused:
    status: int
    message: str
    challenge: str


def authorize(authorizer: Any, route: Any, headers: dict[str, str]) -> Authorized | Refused:
    """Decide a request whose lower-cased `headers` are given, for `route` behind `authorizer`."""
    token = _token(authorizer, headers)
    if not token:
        return Refused(401, "Unauthorized", "Bearer")
    config = authorizer.jwt_config or {}
    claims = _verified_claims(token, str(config.get("issuer", "")))
    if claims is None:
        return _invalid("the token is not valid")
    problem = _claims_problem(claims, str(config.get("issuer", "")), config.get("audience") or [])
    if problem:
        return _invalid(problem)
    scopes = _scopes(claims)
    required = list(route.authorization_scopes or [])
    if required and not set(required) & set(scopes):
        challenge = (
            f'Bearer scope="{" ".join(required)}" error="insufficient_scope" '
            f'error_description="expected scopes: {required}"'
        )
        return Refused(403, "Forbidden", challenge)
    context = {"claims": _as_strings(claims), "scopes": scopes or None}
    return Authorized({"jwt": context})


def _invalid(description: str) -> Refused:
    return Refused(
        401,
        "Unauthorized",
        f'Bearer scope="" error="invalid_token" error_description="{description}"',
    )


def _token(authorizer: Any, headers: dict[str, str]) -> str:
    sources = authorizer.identity_source or ["$request.header.Authorization"]
    if isinstance(sources, str):
        sources = [s.strip() for s in sources.split(",")]
    for source in sources:
        if str(source).lower().startswith("$request.header."):
            value = headers.get(str(source)[len("$request.header.") :].lower(), "").strip()
            if value[:7].lower() == "bearer ":
                value = value[7:].strip()
            if value:
                return value
    return ""


def _verified_claims(token: str, issuer: str) -> dict[str, Any] | None:
    """The token's claims when a key of `issuer` signed it with RS256, else None."""
    if signing_key.pool_of_issuer(issuer) is None:
        return None  # not the engine's pool: its keys are on a network the engine never reaches
    try:
        decoded = jwt.decode(
            token, signing_key.public_key_set(), algorithms=[signing_key.ALGORITHM]
        )
    except (JoseError, ValueError):
        return None
    if decoded.header.get("kid") != signing_key.key_id():
        return None
    return dict(decoded.claims)


def _claims_problem(claims: dict[str, Any], issuer: str, audiences: list[str]) -> str | None:
    now = time.time()
    if claims.get("iss") != issuer:
        return "the token has an invalid issuer"
    audience = claims.get("aud", claims.get("client_id"))
    granted = audience if isinstance(audience, list) else [audience]
    if not set(map(str, granted)) & set(map(str, audiences)):
        return "the token does not have a valid audience"
    if not _number(claims.get("exp")) or float(claims["exp"]) <= now - _CLOCK_SKEW:
        return "the token has expired"
    for early in ("nbf", "iat"):
        if early in claims and (not _number(claims[early]) or float(claims[early]) > now):
            return f"the token's {early} is in the future"
    return None


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scopes(claims: dict[str, Any]) -> list[str]:
    scopes = claims.get("scope", claims.get("scp", ""))
    return scopes.split() if isinstance(scopes, str) else [str(s) for s in scopes or []]


def _as_strings(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as the 2.0 event carries them: every value a string, a list as `[a b]`."""
    return {key: _claim_string(value) for key, value in claims.items()}


def _claim_string(value: object) -> str:
    if isinstance(value, list):
        return "[" + " ".join(_claim_string(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
