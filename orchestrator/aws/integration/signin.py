"""The suite's caller: a temporary user of the `cognito` stack's user pool, signed in as an
operator signs in, on every environment alike (the sandbox's Cognito issues real signed tokens).

The user is made with AdminCreateUser and a permanent password (AdminSetUserPassword), signs in
through ADMIN_USER_PASSWORD_AUTH (the flow the app client enables for the tests), and is deleted
when the suite ends. `FIREFLY_INTEGRATION_TOKEN` overrides it on an environment where the suite's
role may not manage users: its access token is used as it is.
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from orchestrator.aws.integration.api import ApiRequest, ApiResponse, HttpApi
from orchestrator.aws.integration.deployment import Deployment
from orchestrator.aws.integration.support import CheckFailure, describe

TOKEN_VARIABLE = "FIREFLY_INTEGRATION_TOKEN"


def _password() -> str:
    # meets the pool's policy (12+ characters, lower, upper, digit, symbol) whatever the draw
    return f"{secrets.token_urlsafe(18)}aA1!"


class SignedInApi:
    """The HTTP API called as a signed-in test user; signs in at the first call, once."""

    def __init__(self, deployment: Deployment, run_id: str, token: str | None = None) -> None:
        self._deployment = deployment
        self._username = f"{run_id}@integration-tests.invalid"
        self._token = token
        self._made_user = False
        self._http: HttpApi | None = None
        self._lock = threading.Lock()

    @property
    def subject(self) -> str:
        return self._signed_in().subject

    def call(self, request: ApiRequest) -> ApiResponse:
        return self._signed_in().call(request)

    def close(self) -> str | None:
        """Delete the test user, if one was made; what went wrong, as one line, else None."""
        if not self._made_user:
            return None
        try:
            self._cognito().admin_delete_user(UserPoolId=self._pool(), Username=self._username)
        except (ClientError, BotoCoreError) as error:
            return f"deleting test user {self._username}: {describe(error)}"
        return None

    def _signed_in(self) -> HttpApi:
        with self._lock:
            if self._http is None:
                endpoint = self._deployment.output("api-gateway", "ApiEndpoint")
                self._http = HttpApi(endpoint, self._token or self._sign_in())
            return self._http

    def _sign_in(self) -> str:
        try:
            return self._new_user_token()
        except (ClientError, BotoCoreError) as error:
            raise CheckFailure(
                f"cannot sign a test user in to the cognito stack's user pool "
                f"({describe(error)}); set {TOKEN_VARIABLE} to an access token of a test user"
            ) from None

    def _new_user_token(self) -> str:
        cognito, pool, password = self._cognito(), self._pool(), _password()
        cognito.admin_create_user(
            UserPoolId=pool,
            Username=self._username,
            MessageAction="SUPPRESS",  # nobody reads that mailbox
            UserAttributes=[
                {"Name": "email", "Value": self._username},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
        self._made_user = True
        cognito.admin_set_user_password(
            UserPoolId=pool, Username=self._username, Password=password, Permanent=True
        )
        answer = cognito.admin_initiate_auth(
            UserPoolId=pool,
            ClientId=self._deployment.output("cognito", "UserPoolClientId"),
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": self._username, "PASSWORD": password},
        )
        return str(answer["AuthenticationResult"]["AccessToken"])

    def _cognito(self) -> Any:
        return self._deployment.client("cognito-idp")

    def _pool(self) -> str:
        return self._deployment.output("cognito", "UserPoolId")
