"""A user pool's tokens are signed with the engine's own key and name the pool's local issuer.

moto signs with a private key published in its package (kid `dummy`) and names the AWS issuer;
here `identity.signing_key` decides both, so tokens verify only against the keys this engine
serves (`/{poolId}/.well-known/jwks.json`, as Cognito serves them:
https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html).
"""

from __future__ import annotations

from typing import Any

from joserfc import jwt
from moto.cognitoidp.models import CognitoIdpUserPool

from orchestrator.sandbox.identity import signing_key

_MARK = "_firefly_engine_key"


def install() -> None:
    if getattr(CognitoIdpUserPool.create_jwt, _MARK, False):
        return
    original = CognitoIdpUserPool.create_jwt

    def create_jwt(self: CognitoIdpUserPool, *args: Any, **kwargs: Any) -> tuple[str, int]:
        # moto's claims, signed by moto's key: read back and signed again, so that the claims
        # stay moto's (they change between its releases) and only the key and issuer change
        token, expires_in = original(self, *args, **kwargs)
        claims = dict(jwt.decode(token, self.json_web_key).claims)
        claims["iss"] = signing_key.issuer(self.id, self.region)
        header = {"alg": signing_key.ALGORITHM, "kid": signing_key.key_id()}
        return jwt.encode(header, claims, signing_key.signing_key()), expires_in

    setattr(create_jwt, _MARK, True)
    setattr(CognitoIdpUserPool, "create_jwt", create_jwt)  # noqa: B010
