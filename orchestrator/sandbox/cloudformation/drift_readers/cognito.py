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
    live = {
        "UserPoolName": pool.name,
        "Policies": config.get("Policies"),
        "AutoVerifiedAttributes": config.get("AutoVerifiedAttributes"),
        "MfaConfiguration": pool.mfa_config,
    }
    # UsernameAttributes cannot change after creation on AWS, but moto's UpdateUserPool drops
    # it: read only while moto still holds it, so its gap is never reported as drift
    if "UsernameAttributes" in config:
        live["UsernameAttributes"] = config["UsernameAttributes"]
    return live


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
