"""resource_policy: a bucket policy decided the AWS way (explicit Deny, then Allow, else none)."""

from __future__ import annotations

from typing import Any

import pytest

from orchestrator.sandbox.resource_policy import Decision, evaluate, principal_matches

OBJECT = "arn:aws:s3:::photos/a.jpg"
CALLER = {
    "aws:securetransport": ["true"],
    "aws:principalaccount": ["123456789012"],
    "aws:principalarn": ["arn:aws:iam::123456789012:role/deployer"],
}
ANONYMOUS = {"aws:securetransport": ["true"]}


def statement(effect: str, **fields: Any) -> dict[str, Any]:
    return {
        "Effect": effect,
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "arn:aws:s3:::photos/*",
        **fields,
    }


def decide(*statements: dict[str, Any], context: dict[str, list[str]] = CALLER) -> Decision:
    return evaluate(
        {"Version": "2012-10-17", "Statement": list(statements)}, "s3:GetObject", OBJECT, context
    )


def test_an_applying_deny_wins_over_an_allow() -> None:
    assert decide(statement("Allow"), statement("Deny")) is Decision.DENY


def test_a_deny_whose_condition_fails_does_not_apply() -> None:
    insecure = statement("Deny", Condition={"Bool": {"aws:SecureTransport": "false"}})

    assert decide(insecure) is Decision.NO_DECISION
    assert decide(insecure, statement("Allow")) is Decision.ALLOW


def test_an_allow_whose_condition_fails_makes_no_decision() -> None:
    other = statement("Allow", Condition={"StringEquals": {"aws:PrincipalAccount": "1"}})

    assert decide(other) is Decision.NO_DECISION


@pytest.mark.parametrize(
    ("fields", "decision"),
    [
        ({"Action": "S3:get*"}, Decision.DENY),
        ({"Action": ["s3:PutObject"]}, Decision.NO_DECISION),
        ({"NotAction": "s3:PutObject"}, Decision.DENY),
        ({"Resource": "arn:aws:s3:::photos"}, Decision.NO_DECISION),
        ({"Resource": "arn:aws:s3:::PHOTOS/*"}, Decision.NO_DECISION),
        ({"NotResource": "arn:aws:s3:::other/*"}, Decision.DENY),
    ],
)
def test_action_and_resource(fields: dict[str, Any], decision: Decision) -> None:
    base = {k: v for k, v in statement("Deny").items() if f"Not{k}" not in fields}

    assert decide({**base, **fields}) is decision


@pytest.mark.parametrize(
    ("principal", "matches"),
    [
        ("*", True),
        ({"AWS": "*"}, True),
        ({"AWS": "123456789012"}, True),
        ({"AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::123456789012:root"]}, True),
        ({"AWS": "arn:aws:iam::123456789012:role/deployer"}, True),
        ({"AWS": "arn:aws:iam::123456789012:role/other"}, False),
        ({"AWS": "111111111111"}, False),
        ({"Service": "logging.s3.amazonaws.com"}, False),
    ],
)
def test_principals(principal: object, matches: bool) -> None:
    assert principal_matches(principal, CALLER) is matches


def test_an_anonymous_caller_is_only_everyone() -> None:
    assert principal_matches("*", ANONYMOUS)
    assert not principal_matches({"AWS": "123456789012"}, ANONYMOUS)
    # a negated condition on a key the anonymous request lacks holds: the Deny applies
    outsiders = statement(
        "Deny", Condition={"StringNotEquals": {"aws:PrincipalAccount": "123456789012"}}
    )
    assert decide(outsiders, context=ANONYMOUS) is Decision.DENY
    assert decide(outsiders) is Decision.NO_DECISION


def test_not_principal_applies_to_everyone_else() -> None:
    others = statement("Deny", NotPrincipal={"AWS": "arn:aws:iam::123456789012:role/deployer"})
    others.pop("Principal")

    assert decide(others) is Decision.NO_DECISION
    assert decide(others, context=ANONYMOUS) is Decision.DENY


def test_a_single_statement_object() -> None:
    document = {"Statement": statement("Deny")}

    assert evaluate(document, "s3:GetObject", OBJECT, CALLER) is Decision.DENY


def test_a_service_principal_is_the_service_calling_and_no_one_else() -> None:
    # a Lambda permission for API Gateway: the service invokes, with the route as SourceArn
    api = {"Service": "apigateway.amazonaws.com"}
    route = "arn:aws:execute-api:us-east-1:123456789012:abc123/$default/GET/items"
    permission = {
        "Effect": "Allow",
        "Principal": api,
        "Action": "lambda:InvokeFunction",
        "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:execute-api:*:*:abc123/*/GET/*"}},
    }
    by_api = {"aws:principalservicename": ["apigateway.amazonaws.com"], "aws:sourcearn": [route]}
    other_api = {**by_api, "aws:sourcearn": [route.replace("abc123", "xyz789")]}
    by_s3 = {**by_api, "aws:principalservicename": ["s3.amazonaws.com"]}

    def invoke(context: dict[str, list[str]]) -> Decision:
        return evaluate({"Statement": [permission]}, "lambda:InvokeFunction", "arn:fn", context)

    assert invoke(by_api) is Decision.ALLOW
    assert invoke(other_api) is Decision.NO_DECISION
    assert invoke(by_s3) is Decision.NO_DECISION
    assert invoke(CALLER) is Decision.NO_DECISION  # the account's own callers are not the service
    assert not principal_matches(api, CALLER)
