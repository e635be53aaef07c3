"""policy_conditions: IAM condition operators decided against a request context, the AWS way."""

from __future__ import annotations

import pytest

from orchestrator.sandbox.policy_conditions import arn_like, conditions_hold, wildcard_match

CONTEXT = {
    "aws:securetransport": ["true"],
    "aws:principalaccount": ["123456789012"],
    "aws:principalarn": ["arn:aws:iam::123456789012:role/deployer"],
    "aws:sourceip": ["127.0.0.1"],
    "aws:tagkeys": ["team", "env"],
    "s3:max-keys": ["10"],
}


@pytest.mark.parametrize(
    ("block", "holds"),
    [
        ({"Bool": {"aws:SecureTransport": "false"}}, False),
        ({"Bool": {"aws:SecureTransport": True}}, True),  # a JSON boolean reads as "true"
        ({"Bool": {"AWS:SECURETRANSPORT": "TRUE"}}, True),  # key names without case
        ({"StringEquals": {"aws:PrincipalAccount": ["111111111111", "123456789012"]}}, True),
        ({"StringNotEquals": {"aws:PrincipalAccount": "111111111111"}}, True),
        ({"StringNotEquals": {"aws:PrincipalAccount": "123456789012"}}, False),
        (
            {"StringEqualsIgnoreCase": {"aws:PrincipalArn": "ARN:AWS:IAM::123456789012:ROLE/*"}},
            False,
        ),
        ({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/deploy?r"}}, True),
        ({"StringNotLike": {"aws:PrincipalArn": "*:role/deploy*"}}, False),
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/*"}}, True),
        ({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/deployer"}}, True),
        ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/*"}}, True),
        ({"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/deployer"}}, False),
        ({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "127.0.0.0/8"]}}, True),
        ({"NotIpAddress": {"aws:SourceIp": "127.0.0.1/32"}}, False),
        ({"NumericLessThanEquals": {"s3:max-keys": "10"}}, True),
        ({"NumericGreaterThan": {"s3:max-keys": "not a number"}}, False),
    ],
)
def test_operators(block: dict[str, dict[str, object]], holds: bool) -> None:
    assert conditions_hold(block, CONTEXT) is holds


@pytest.mark.parametrize(
    ("operator", "holds"),
    [
        # a missing key: positive operators are false, negated ones true (IAM User Guide,
        # "Condition operators"), ...IfExists true
        ("StringEquals", False),
        ("StringNotEquals", True),
        ("ArnNotLike", True),
        ("NotIpAddress", True),
        ("StringEqualsIfExists", True),
        ("StringNotEqualsIfExists", True),
        ("ForAllValues:StringEquals", True),
        ("ForAnyValue:StringEquals", False),
    ],
)
def test_a_missing_key(operator: str, holds: bool) -> None:
    assert conditions_hold({operator: {"aws:SourceVpc": "vpc-1"}}, CONTEXT) is holds


def test_if_exists_tests_a_present_key() -> None:
    assert not conditions_hold({"StringEqualsIfExists": {"aws:PrincipalAccount": "1"}}, CONTEXT)
    assert conditions_hold({"BoolIfExists": {"aws:SecureTransport": "true"}}, CONTEXT)


def test_null_tests_presence() -> None:
    assert conditions_hold({"Null": {"aws:SourceVpc": "true"}}, CONTEXT)
    assert conditions_hold({"Null": {"aws:PrincipalArn": "false"}}, CONTEXT)
    assert not conditions_hold({"Null": {"aws:PrincipalArn": True}}, CONTEXT)


def test_set_operators_over_a_multivalued_key() -> None:
    assert conditions_hold({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}, CONTEXT)
    assert not conditions_hold({"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}, CONTEXT)
    assert conditions_hold({"ForAllValues:StringLike": {"aws:TagKeys": ["*"]}}, CONTEXT)
    assert not conditions_hold({"ForAnyValue:StringNotLike": {"aws:TagKeys": ["*"]}}, CONTEXT)


def test_every_operator_and_every_key_must_hold() -> None:
    block = {
        "Bool": {"aws:SecureTransport": "true"},
        "StringEquals": {"aws:PrincipalAccount": "123456789012", "aws:SourceIp": "10.0.0.1"},
    }

    assert not conditions_hold(block, CONTEXT)
    assert conditions_hold({}, CONTEXT)


@pytest.mark.parametrize("operator", ["DateGreaterThan", "Whatever", "ForSome:StringEquals"])
def test_an_unknown_operator_does_not_hold(operator: str) -> None:
    assert not conditions_hold({operator: {"aws:SecureTransport": "true"}}, CONTEXT)


def test_wildcards_are_only_star_and_question_mark() -> None:
    assert wildcard_match("a*c?", "abbbcd")
    assert not wildcard_match("[ab]", "a")
    assert wildcard_match("[ab]", "[ab]")
    assert wildcard_match("S3:Get*", "s3:GetObject", ignore_case=True)
    assert not wildcard_match("S3:Get*", "s3:GetObject")


def test_arn_like_matches_part_by_part() -> None:
    assert arn_like("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c")
    assert not arn_like("arn:aws:iam::*", "arn:aws:iam::123456789012:role/x")
