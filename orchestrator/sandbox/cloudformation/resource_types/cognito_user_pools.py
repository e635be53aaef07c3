"""`AWS::Cognito::UserPool` and `AWS::Cognito::UserPoolClient` made by CloudFormation (moto skips
both): `Ref` is the pool id and the client id, as on AWS. A pool's `ProviderURL` is the issuer its
tokens name, on the engine a URL of the engine itself (see `identity.signing_key`)."""

from __future__ import annotations

from typing import Any

from orchestrator.sandbox.cloudformation import handlers
from orchestrator.sandbox.cloudformation.handlers import Handler, Target
from orchestrator.sandbox.cloudformation.model import Resource
from orchestrator.sandbox.identity.signing_key import issuer

# CloudFormation-only properties; every other one is the API's member of the same name
POOL_ONLY = ("UserPoolName", "UserPoolTags")


def _backend(target: Target) -> Any:
    from moto.cognitoidp.models import cognitoidp_backends

    return cognitoidp_backends[target.account_id][target.region]


class UserPoolHandler(Handler):
    def create(self, target: Target, properties: dict[str, Any]) -> tuple[Any, str]:
        name = properties.get("UserPoolName") or self.physical_name(target, {})
        config = {k: v for k, v in properties.items() if k not in POOL_ONLY}
        if properties.get("UserPoolTags"):
            config["UserPoolTags"] = properties["UserPoolTags"]
        pool = _backend(target).create_user_pool(name, config)
        return pool, str(pool.id)

    def update(
        self, target: Target, resource: Resource, properties: dict[str, Any]
    ) -> tuple[Any, str]:
        config = {k: v for k, v in properties.items() if k not in POOL_ONLY}
        resource.model.update_extended_config(config)
        return resource.model, resource.physical_id

    def delete(self, target: Target, resource: Resource) -> None:
        _backend(target).delete_user_pool(resource.physical_id)

    def has_attribute(self, name: str) -> bool | None:
        return name in ("Arn", "ProviderName", "ProviderURL", "UserPoolId")

    def attribute(self, resource: Resource, name: str) -> Any:
        pool, region = resource.model, resource.model.region
        values = {
            "Arn": pool.arn,
            "UserPoolId": pool.id,
            "ProviderName": f"cognito-idp.{region}.amazonaws.com/{pool.id}",
            "ProviderURL": issuer(pool.id, region),
        }
        return values[name] if name in values else super().attribute(resource, name)


class UserPoolClientHandler(Handler):
    required = ("UserPoolId",)

    def create(self, target: Target, properties: dict[str, Any]) -> tuple[Any, str]:
        config = {k: v for k, v in properties.items() if k not in ("UserPoolId", "GenerateSecret")}
        config.setdefault("ClientName", self.physical_name(target, {}))
        secret = str(properties.get("GenerateSecret")).lower() == "true"
        client = _backend(target).create_user_pool_client(properties["UserPoolId"], secret, config)
        return client, str(client.id)

    def update(
        self, target: Target, resource: Resource, properties: dict[str, Any]
    ) -> tuple[Any, str]:
        if properties.get("UserPoolId") != resource.properties.get("UserPoolId"):
            return self._replace(target, resource, properties)
        config = {k: v for k, v in properties.items() if k not in ("UserPoolId", "GenerateSecret")}
        _backend(target).update_user_pool_client(
            properties["UserPoolId"], resource.physical_id, config
        )
        return resource.model, resource.physical_id

    def delete(self, target: Target, resource: Resource) -> None:
        _backend(target).delete_user_pool_client(
            resource.properties["UserPoolId"], resource.physical_id
        )

    def has_attribute(self, name: str) -> bool | None:
        return name in ("ClientId", "ClientSecret", "Name")

    def attribute(self, resource: Resource, name: str) -> Any:
        client = resource.model
        values = {
            "ClientId": client.id,
            "ClientSecret": client.secret,
            "Name": client.extended_config.get("ClientName"),
        }
        return values[name] if name in values else super().attribute(resource, name)


def install() -> None:
    handlers.register(UserPoolHandler("AWS::Cognito::UserPool"))
    handlers.register(UserPoolClientHandler("AWS::Cognito::UserPoolClient"))
