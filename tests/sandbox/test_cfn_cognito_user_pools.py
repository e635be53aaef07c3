"""cfn_cognito_user_pools: a user pool and its client made by CloudFormation, `Ref` their ids."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from orchestrator.sandbox.server import RunningServer
from tests.sandbox.cfn_support import create, outputs, unique

Aws = Callable[[str], Any]


def test_user_pool_and_client(aws: Aws) -> None:
    cfn, name = aws("cloudformation"), unique("users")
    done = create(
        cfn,
        name,
        {
            "Resources": {
                "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {"UserPoolName": name}},
                "Client": {
                    "Type": "AWS::Cognito::UserPoolClient",
                    "Properties": {"UserPoolId": {"Ref": "Pool"}, "ClientName": "web"},
                },
            },
            "Outputs": {
                "Pool": {"Value": {"Ref": "Pool"}},
                "Client": {"Value": {"Ref": "Client"}},
                "Arn": {"Value": {"Fn::GetAtt": ["Pool", "Arn"]}},
            },
        },
    )
    out = outputs(done)
    client = aws("cognito-idp").describe_user_pool_client(
        UserPoolId=out["Pool"], ClientId=out["Client"]
    )["UserPoolClient"]

    assert client["ClientName"] == "web"
    assert out["Arn"].endswith(f":userpool/{out['Pool']}")
    cfn.delete_stack(StackName=name)
    pools = aws("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]
    assert out["Pool"] not in [p["Id"] for p in pools]


def test_the_provider_url_is_the_pool_s_local_issuer(sandbox: RunningServer, aws: Aws) -> None:
    # the Cognito stack outputs it as the JWT authorizer's Issuer: it must be what the pool's
    # tokens name (orchestrator.sandbox.identity.signing_key)
    cfn, name = aws("cloudformation"), unique("issuer")
    done = create(
        cfn,
        name,
        {
            "Resources": {"Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {}}},
            "Outputs": {
                "Pool": {"Value": {"Ref": "Pool"}},
                "Issuer": {"Value": {"Fn::GetAtt": ["Pool", "ProviderURL"]}},
            },
        },
    )
    out = outputs(done)
    cfn.delete_stack(StackName=name)

    assert out["Issuer"] == f"{sandbox.endpoint}/{out['Pool']}"
