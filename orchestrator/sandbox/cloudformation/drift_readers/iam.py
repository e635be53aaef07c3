"""Readers of IAM: roles, inline policies (`AWS::IAM::Policy`) and managed policies."""

from __future__ import annotations

from typing import Any

from orchestrator.sandbox.cloudformation.drift_readers.shapes import (
    Properties,
    document,
    ordered_like,
    tags,
)


def _backend(account_id: str) -> Any:
    from moto.iam.models import iam_backends

    return iam_backends[account_id]["aws"]  # IAM is global: one backend per partition


def _role(account_id: str, name: str) -> Any:
    return next((r for r in _backend(account_id).roles.values() if r.name == name), None)


def role(account_id: str, region: str, name: str, properties: Properties) -> Properties | None:
    found = _role(account_id, name)
    if found is None:
        return None
    inline = [
        {"PolicyName": policy_name, "PolicyDocument": document(text)}
        for policy_name, text in found.policies.items()
    ]
    return {
        "RoleName": found.name,
        "Path": found.path,
        "AssumeRolePolicyDocument": document(found.assume_role_policy_document),
        "ManagedPolicyArns": ordered_like(
            properties.get("ManagedPolicyArns"), list(found.managed_policies), key=str
        ),
        "Policies": ordered_like(properties.get("Policies"), inline, key=lambda p: p["PolicyName"]),
        "Description": found.description or None,
        "MaxSessionDuration": found.max_session_duration,
        "Tags": tags(found.tags),
    }


def inline_policy(
    account_id: str, region: str, name: str, properties: Properties
) -> Properties | None:
    """The policy as each of the template's roles holds it; DELETED when none holds it. (Users
    and groups this system does not use are not read.)"""
    policy_name = properties.get("PolicyName")
    documents = [
        document(r.policies[policy_name])
        for r in (_role(account_id, n) for n in properties.get("Roles") or [])
        if r is not None and policy_name in r.policies
    ]
    if not documents:
        return None
    # a role whose copy differs is the drift to report
    differing = [d for d in documents if d != properties.get("PolicyDocument")]
    return {"PolicyName": policy_name, "PolicyDocument": (differing or documents)[0]}


def managed_policy(
    account_id: str, region: str, arn: str, properties: Properties
) -> Properties | None:
    """The policy's default version's document."""
    policy = _backend(account_id).managed_policies.get(arn)
    if policy is None:
        return None
    default = next(v for v in policy.versions if v.version_id == policy.default_version_id)
    return {
        "ManagedPolicyName": policy.name,
        "Description": policy.description or None,
        "PolicyDocument": document(default.document),
    }


READERS = {
    "AWS::IAM::Role": role,
    "AWS::IAM::Policy": inline_policy,
    "AWS::IAM::ManagedPolicy": managed_policy,
}
