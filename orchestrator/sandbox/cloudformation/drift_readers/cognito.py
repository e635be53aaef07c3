"""Readers of Cognito user pools and their clients: the key properties of each (UpdateUserPool
resets what it is not given, so these are what an out-of-band change touches)."""

from __future__ import annotations

from typing import Any

from orchestrator.sandbox.cloudformation.drift_readers.shapes import Properties


def _pool(account_id: str, region: str, pool_id: Any) -> Any:
    from moto.cognitoidp.models import cognitoidp_backends

    return cognitoidp_backends[account_id][region].user_pools.get(str(pool_id))


def user_pool(
    account_id: str, region: str, pool_id: str, properties: Properties
) -> Properties | None:
    pool = _pool(account_id, region, pool_id)
    if pool is None:
        return None
    config = pool.extended_config
    return {
        "UserPoolName": pool.name,
        "Policies": config.get("Policies"),
        "AutoVerifiedAttributes": config.get("AutoVerifiedAttributes"),
        "UsernameAttributes": config.get("UsernameAttributes"),
        "MfaConfiguration": pool.mfa_config,
    }


def user_pool_client(
    account_id: str, region: str, client_id: str, properties: Properties
) -> Properties | None:
    pool = _pool(account_id, region, properties.get("UserPoolId"))
    client = None if pool is None else pool.clients.get(client_id)
    if client is None:
        return None
    config = client.extended_config
    return {
        "ClientName": config.get("ClientName"),
        "ExplicitAuthFlows": config.get("ExplicitAuthFlows"),
        "GenerateSecret": bool(client.generate_secret),
    }


READERS = {
    "AWS::Cognito::UserPool": user_pool,
    "AWS::Cognito::UserPoolClient": user_pool_client,
}
