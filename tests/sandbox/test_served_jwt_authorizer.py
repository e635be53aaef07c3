"""A served HTTP API's JWT authorizer trusts the tokens of the engine's Cognito pool it names,
and answers every other request 401 (403 without a required scope), as API Gateway does."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from joserfc import jwk, jwt
from moto.utilities.utils import load_resource

from orchestrator.sandbox.identity import signing_key
from orchestrator.sandbox.server import RunningServer
from tests.sandbox.lambda_support import function
from tests.sandbox.served_api_support import (
    ECHO,
    Pool,
    account_id,
    add_integration,
    add_route,
    allow_api,
    make_pool,
    sign_in,
)

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Protected:
    url: str
    pool: Pool
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def protected(
    sandbox: RunningServer, aws: Callable[[str], Any], lambda_role: str
) -> Iterator[Protected]:
    v2, pool = aws("apigatewayv2"), make_pool(aws, sandbox.endpoint)
    made = v2.create_api(Name="protected", ProtocolType="HTTP")
    api_id = made["ApiId"]
    v2.create_stage(ApiId=api_id, StageName="$default")
    authorizer = v2.create_authorizer(
        ApiId=api_id,
        Name="cognito",
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Issuer": pool.issuer, "Audience": [pool.client_id]},
    )["AuthorizerId"]
    with function(aws, lambda_role, ECHO) as echo:
        arn = aws("lambda").get_function(FunctionName=echo)["Configuration"]["FunctionArn"]
        allow_api(aws, echo, f"arn:aws:execute-api:us-east-1:{account_id(aws)}:{api_id}/*/*")
        integration = add_integration(aws, api_id, arn)
        jwt_auth = {"AuthorizationType": "JWT", "AuthorizerId": authorizer}
        add_route(aws, api_id, "GET /mine", integration, **jwt_auth)
        add_route(aws, api_id, "GET /admin", integration, AuthorizationScopes=["admin"], **jwt_auth)
        yield Protected(made["ApiEndpoint"], pool, sign_in(aws, pool))
    v2.delete_api(ApiId=api_id)


def call(protected: Protected, token: str | None, path: str = "/mine") -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.get(f"{protected.url}{path}", headers=headers, timeout=60)


def assert_unauthorized(answer: requests.Response) -> None:
    assert answer.status_code == 401, answer.text
    assert answer.json() == {"message": "Unauthorized"}
    assert answer.headers["www-authenticate"].startswith("Bearer")


def engine_signed(claims: dict[str, Any]) -> str:
    header = {"alg": "RS256", "kid": signing_key.key_id()}
    return jwt.encode(header, claims, signing_key.signing_key())


def test_an_id_token_of_the_pool_reaches_the_function_with_its_claims(
    protected: Protected,
) -> None:
    answer = call(protected, protected.tokens["IdToken"])

    assert answer.status_code == 201, answer.text
    authorizer = json.loads(answer.text)["requestContext"]["authorizer"]["jwt"]
    assert authorizer["claims"]["iss"] == protected.pool.issuer
    assert authorizer["claims"]["aud"] == protected.pool.client_id
    assert authorizer["claims"]["token_use"] == "id"
    assert isinstance(authorizer["claims"]["exp"], str)  # API Gateway passes claims as strings


def test_an_access_token_passes_by_its_client_id(protected: Protected) -> None:
    answer = call(protected, protected.tokens["AccessToken"])

    assert answer.status_code == 201, answer.text
    scopes = json.loads(answer.text)["requestContext"]["authorizer"]["jwt"]["scopes"]
    assert scopes == ["aws.cognito.signin.user.admin"]


def test_a_token_without_bearer_prefix_is_read_too(protected: Protected) -> None:
    answer = requests.get(
        f"{protected.url}/mine",
        headers={"Authorization": protected.tokens["IdToken"]},
        timeout=60,
    )

    assert answer.status_code == 201


def test_without_a_token_the_api_answers_401(protected: Protected) -> None:
    assert_unauthorized(call(protected, None))


def test_a_tampered_token_is_refused(protected: Protected) -> None:
    header, payload, signature = protected.tokens["IdToken"].split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")

    assert_unauthorized(call(protected, f"{header}.{payload}.{flipped}"))
    assert_unauthorized(call(protected, "not-a-jwt"))


def test_an_expired_token_is_refused(protected: Protected) -> None:
    now = int(time.time())
    claims = {"iss": protected.pool.issuer, "aud": protected.pool.client_id, "exp": now - 5}

    answer = call(protected, engine_signed(claims))

    assert_unauthorized(answer)
    assert "expired" in answer.headers["www-authenticate"]


def test_a_token_for_another_client_is_refused(protected: Protected) -> None:
    claims = {"iss": protected.pool.issuer, "aud": "another-client", "exp": time.time() + 600}

    assert_unauthorized(call(protected, engine_signed(claims)))


def test_a_token_of_another_pool_is_refused(
    sandbox: RunningServer, aws: Callable[[str], Any], protected: Protected
) -> None:
    other = make_pool(aws, sandbox.endpoint)

    assert_unauthorized(call(protected, sign_in(aws, other)["IdToken"]))


def test_a_token_signed_with_moto_s_published_key_is_refused(protected: Protected) -> None:
    published = jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    claims = {
        "iss": protected.pool.issuer,
        "aud": protected.pool.client_id,
        "exp": time.time() + 600,
    }
    forged = jwt.encode({"alg": "RS256", "kid": "dummy"}, claims, published)

    assert_unauthorized(call(protected, forged))


def test_a_route_s_scopes_are_required(protected: Protected) -> None:
    answer = call(protected, protected.tokens["AccessToken"], "/admin")

    assert answer.status_code == 403
    assert answer.json() == {"message": "Forbidden"}
    assert 'error="insufficient_scope"' in answer.headers["www-authenticate"]
