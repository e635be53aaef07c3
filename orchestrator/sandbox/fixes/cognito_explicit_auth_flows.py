"""InitiateAuth and AdminInitiateAuth honour the app client's `ExplicitAuthFlows`.

moto signs a user in through any flow on any client. Cognito refuses a flow the client does not
enable (`InvalidParameterException: ... flow not enabled for this client`); a client created
without `ExplicitAuthFlows` enables SRP, custom and refresh-token sign-in only
(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html#CognitoUserPools-CreateUserPoolClient-request-ExplicitAuthFlows).
"""

from __future__ import annotations

from typing import Any

from moto.cognitoidp.exceptions import InvalidParameterException
from moto.cognitoidp.models import CognitoIdpBackend

_MARK = "_firefly_explicit_auth_flows"
_DEFAULT_FLOWS = ("ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
# an AuthFlow → the ExplicitAuthFlows values that enable it (the legacy names included)
_ENABLED_BY = {
    "USER_PASSWORD_AUTH": ("ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"),
    "ADMIN_USER_PASSWORD_AUTH": ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"),
    "ADMIN_NO_SRP_AUTH": ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"),
    "USER_SRP_AUTH": ("ALLOW_USER_SRP_AUTH",),
    "CUSTOM_AUTH": ("ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"),
    "REFRESH_TOKEN_AUTH": ("ALLOW_REFRESH_TOKEN_AUTH",),
    "REFRESH_TOKEN": ("ALLOW_REFRESH_TOKEN_AUTH",),
}


def install() -> None:
    if getattr(CognitoIdpBackend.initiate_auth, _MARK, False):
        return
    user_flow, admin_flow = CognitoIdpBackend.initiate_auth, CognitoIdpBackend.admin_initiate_auth

    def initiate_auth(
        self: CognitoIdpBackend, client_id: str, auth_flow: str, auth_parameters: Any
    ) -> Any:
        _check_flow(_client(self, None, client_id), auth_flow)
        return user_flow(self, client_id, auth_flow, auth_parameters)

    def admin_initiate_auth(
        self: CognitoIdpBackend,
        user_pool_id: str,
        client_id: str,
        auth_flow: str,
        auth_parameters: Any,
    ) -> Any:
        _check_flow(_client(self, user_pool_id, client_id), auth_flow)
        return admin_flow(self, user_pool_id, client_id, auth_flow, auth_parameters)

    for name, patched in (
        ("initiate_auth", initiate_auth),
        ("admin_initiate_auth", admin_initiate_auth),
    ):
        setattr(patched, _MARK, True)
        setattr(CognitoIdpBackend, name, patched)


def _client(backend: CognitoIdpBackend, pool_id: str | None, client_id: str) -> Any:
    """The app client, or None to let moto answer a missing pool or client as it does."""
    for pool in backend.user_pools.values():
        if pool_id in (None, pool.id) and client_id in pool.clients:
            return pool.clients[client_id]
    return None


def _check_flow(client: Any, auth_flow: str) -> None:
    if client is None or auth_flow not in _ENABLED_BY:
        return  # moto refuses an unknown flow or client with Cognito's own errors
    enabled = client.extended_config.get("ExplicitAuthFlows") or _DEFAULT_FLOWS
    if not set(_ENABLED_BY[auth_flow]) & set(enabled):
        raise InvalidParameterException(f"{auth_flow} flow not enabled for this client")
