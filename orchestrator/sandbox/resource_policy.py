"""A resource-based policy (an S3 bucket policy, a Lambda function's policy) decided for one
request.

AWS semantics ("Policy evaluation logic" in the IAM User Guide): a statement applies when its
principal, action, resource and every condition match the request; an explicit Deny that
applies wins; otherwise an Allow that applies allows; otherwise the policy makes no decision
and the request is decided by the caller's identity-based permissions.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import Any

from orchestrator.sandbox.policy_conditions import (
    Context,
    as_strings,
    conditions_hold,
    wildcard_match,
)

_ACCOUNT_ROOT = re.compile(r"^arn:[\w-]+:iam::(\d{12}):root$")


class Decision(enum.Enum):
    DENY = "deny"
    ALLOW = "allow"
    NO_DECISION = "no decision"


def evaluate(document: Mapping[str, Any], action: str, resource: str, context: Context) -> Decision:
    """What the policy `document` says about `action` on `resource` in `context`."""
    statements = document.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    effects = {str(s.get("Effect")) for s in statements if _applies(s, action, resource, context)}
    if "Deny" in effects:
        return Decision.DENY
    if "Allow" in effects:
        return Decision.ALLOW
    return Decision.NO_DECISION


def _applies(statement: Mapping[str, Any], action: str, resource: str, context: Context) -> bool:
    return (
        _principal_applies(statement, context)
        # AWS compares actions without case, resources (ARNs) with it
        and _element_applies(statement, "Action", action, ignore_case=True)
        and _element_applies(statement, "Resource", resource, ignore_case=False)
        and conditions_hold(statement.get("Condition") or {}, context)
    )


def _element_applies(
    statement: Mapping[str, Any], element: str, value: str, *, ignore_case: bool
) -> bool:
    """`Action`/`NotAction` or `Resource`/`NotResource`: a listed pattern matches (or none does)."""
    negated = f"Not{element}" in statement
    patterns = statement.get(f"Not{element}" if negated else element)
    if patterns is None:  # a statement without the element is not restricted by it
        return True
    matched = any(wildcard_match(p, value, ignore_case=ignore_case) for p in as_strings(patterns))
    return matched != negated


def _principal_applies(statement: Mapping[str, Any], context: Context) -> bool:
    if "NotPrincipal" in statement:
        return not principal_matches(statement["NotPrincipal"], context)
    if "Principal" not in statement:  # no principal: the statement is about everyone
        return True
    return principal_matches(statement["Principal"], context)


def principal_matches(principal: object, context: Context) -> bool:
    """Whether the caller in `context` is one of `principal` (a Principal element).

    `"*"` and `{"AWS": "*"}` are everyone, anonymous callers included. An account (its id or
    `arn:aws:iam::ID:root`) stands for every principal of that account; another ARN for that
    principal (a role's ARN also for its sessions, as `aws:PrincipalArn` is the role's ARN).
    A service principal (`{"Service": "apigateway.amazonaws.com"}`) matches the service that
    calls on a resource's behalf, named by `aws:PrincipalServiceName` in `context`. Federated
    and canonical-user principals match no caller of the sandbox.
    """
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    service = _first(context, "aws:principalservicename")
    if service is not None and service in as_strings(principal.get("Service", [])):
        return True
    arn = _first(context, "aws:principalarn")
    account = _first(context, "aws:principalaccount")
    for entry in as_strings(principal.get("AWS", [])):
        root = _ACCOUNT_ROOT.match(entry)
        if entry == "*" or (arn is not None and entry == arn):
            return True
        if account is not None and account in (entry, root and root.group(1)):
            return True
    return False


def _first(context: Context, key: str) -> str | None:
    values = context.get(key)
    return values[0] if values else None
