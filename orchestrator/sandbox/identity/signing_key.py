"""The key the engine's Cognito user pools sign their tokens with, and the issuer they name.

moto signs every pool's tokens with one private key shipped inside its package, so anyone could
forge a token it accepts. The engine generates its own RSA key instead, once per process. It is
kept in memory only: the pools live in the engine's memory and go with it, so a token outlives
neither the pools that issued it nor the key that signed it, and no other process ever signs.

The issuer: Cognito's tokens name `https://cognito-idp.{region}.amazonaws.com/{poolId}` and
publish the keys under `{issuer}/.well-known/jwks.json`
(https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html).
A sandbox pool's issuer is the engine's own URL instead, `http://127.0.0.1:PORT/{poolId}`, so
that the same rule leads to keys the engine serves, and nothing it hands out points at AWS. The
pool's `ProviderURL` (what the Cognito stack outputs as its `Issuer`) is that URL too, so the
JWT authorizer configured from it trusts exactly the tokens the pool issues.
"""

from __future__ import annotations

import threading
from typing import Any

from joserfc.jwk import KeySet, RSAKey

from orchestrator.sandbox import settings

ALGORITHM = "RS256"
_lock = threading.Lock()
_key: list[RSAKey] = []  # the engine's key once made: one for the life of the process


def _engine_key() -> RSAKey:
    with _lock:  # two first tokens at once must not make two keys
        if not _key:
            _key.append(RSAKey.generate_key(2048, private=True, auto_kid=True))
        return _key[0]


def signing_key() -> RSAKey:
    """The engine's private key (made on first use)."""
    return _engine_key()


def key_id() -> str:
    return str(_engine_key().kid)


def public_key_set() -> KeySet:
    """What a verifier trusts: the engine's public key only."""
    return KeySet.import_key_set(public_jwks())  # type: ignore[arg-type]  # a JWKS dict


def public_jwks() -> dict[str, Any]:
    """The JWKS document a pool serves, as Cognito shapes it (`alg` and `use` included)."""
    public = dict(_engine_key().as_dict(private=False))
    public.update({"alg": ALGORITHM, "use": "sig"})
    return {"keys": [public]}


def issuer(pool_id: str, region: str) -> str:
    """The issuer URL of pool `pool_id`: on the running engine, else Cognito's own."""
    endpoint = settings.endpoint()
    if endpoint is None:
        return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
    return f"{endpoint}/{pool_id}"


def pool_of_issuer(url: str) -> str | None:
    """The id of the engine's pool that `url` names as its issuer, or None for another issuer."""
    endpoint = settings.endpoint()
    if endpoint is None or not url.startswith(f"{endpoint}/"):
        return None
    pool_id = url[len(endpoint) + 1 :]
    return pool_id if pool_id and "/" not in pool_id else None
