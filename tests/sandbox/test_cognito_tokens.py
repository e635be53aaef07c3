"""The engine's Cognito pools sign tokens with the engine's own key, name the engine as their
issuer, serve that key as Cognito does, and sign in only through the flows a client enables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError
from joserfc import jwt
from joserfc.jwk import KeySet

from orchestrator.sandbox.server import RunningServer
from tests.sandbox.served_api_support import PASSWORD, make_pool, sign_in

pytestmark = pytest.mark.slow


def test_a_token_verifies_against_the_pool_s_served_jwks(
    sandbox: RunningServer, aws: Callable[[str], Any]
) -> None:
    pool = make_pool(aws, sandbox.endpoint)
    token = sign_in(aws, pool)["IdToken"]

    served = requests.get(f"{pool.issuer}/.well-known/jwks.json", timeout=60)  # unsigned
    decoded = jwt.decode(token, KeySet.import_key_set(served.json()), algorithms=["RS256"])

    assert served.status_code == 200
    assert decoded.header["kid"] != "dummy"  # not moto's published key
    assert decoded.claims["iss"] == pool.issuer == f"{sandbox.endpoint}/{pool.pool_id}"


def test_the_openid_configuration_names_the_local_issuer(
    sandbox: RunningServer, aws: Callable[[str], Any]
) -> None:
    pool = make_pool(aws, sandbox.endpoint)

    document = requests.get(f"{pool.issuer}/.well-known/openid-configuration", timeout=60).json()

    assert document["issuer"] == pool.issuer
    assert document["jwks_uri"] == f"{pool.issuer}/.well-known/jwks.json"


def test_an_unknown_pool_has_no_jwks(sandbox: RunningServer) -> None:
    answer = requests.get(f"{sandbox.endpoint}/us-east-1_nothere/.well-known/jwks.json", timeout=60)

    assert answer.status_code == 404


def test_user_password_auth_needs_the_client_to_enable_it(
    sandbox: RunningServer, aws: Callable[[str], Any]
) -> None:
    refusing = make_pool(aws, sandbox.endpoint)  # admin password flow only
    allowing = make_pool(aws, sandbox.endpoint, ["ALLOW_USER_PASSWORD_AUTH"])
    cognito = aws("cognito-idp")

    def user_password_auth(pool: Any) -> dict[str, Any]:
        email = "someone@example.com"
        cognito.admin_create_user(UserPoolId=pool.pool_id, Username=email, MessageAction="SUPPRESS")
        cognito.admin_set_user_password(
            UserPoolId=pool.pool_id, Username=email, Password=PASSWORD, Permanent=True
        )
        answer: dict[str, Any] = cognito.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
        )
        return answer

    with pytest.raises(ClientError) as refused:
        user_password_auth(refusing)

    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "not enabled for this client" in refused.value.response["Error"]["Message"]
    assert user_password_auth(allowing)["AuthenticationResult"]["IdToken"]
