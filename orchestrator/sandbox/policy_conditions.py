"""The `Condition` block of an IAM policy statement, decided against a request context.

AWS semantics ("IAM JSON policy elements: Condition operators" and "Condition" in the IAM User
Guide): every operator of a block must hold, and every key under an operator must hold (AND);
the values listed for one key are alternatives (OR). A key missing from the request context
makes a condition false, except that a negated operator (`StringNotEquals`, `ArnNotLike`, ...)
is then true, `...IfExists` is then true, and `Null` tests exactly that absence.

The request context maps condition keys, lower-cased (AWS compares key names without case), to
their values: one value for a single-valued key, several for a multivalued one.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Context = Mapping[str, list[str]]
_log = logging.getLogger(__name__)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's wildcards: `*` any run of characters, `?` one character, nothing else special."""
    regex = ".*".join(".".join(map(re.escape, part.split("?"))) for part in pattern.split("*"))
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else re.NOFLAG)
    return re.fullmatch(regex, value, flags) is not None


def arn_like(pattern: str, arn: str) -> bool:
    """`ArnLike`: the six colon-separated parts of the ARN match one by one."""
    expected, actual = pattern.split(":", 5), arn.split(":", 5)
    return len(expected) == len(actual) == 6 and all(
        wildcard_match(e, a) for e, a in zip(expected, actual, strict=True)
    )


def _number_compare(check: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def compare(actual: str, expected: str) -> bool:
        try:
            return check(float(actual), float(expected))
        except ValueError:  # a value that is no number matches nothing
            return False

    return compare


def _in_network(actual: str, expected: str) -> bool:
    try:
        return ipaddress.ip_address(actual) in ipaddress.ip_network(expected, strict=False)
    except ValueError:
        return False


# operator → the test of one request value against one policy value
_POSITIVE: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda a, e: a == e,
    "StringEqualsIgnoreCase": lambda a, e: a.casefold() == e.casefold(),
    "StringLike": lambda a, e: wildcard_match(e, a),
    "NumericEquals": _number_compare(lambda a, e: a == e),
    "NumericLessThan": _number_compare(lambda a, e: a < e),
    "NumericLessThanEquals": _number_compare(lambda a, e: a <= e),
    "NumericGreaterThan": _number_compare(lambda a, e: a > e),
    "NumericGreaterThanEquals": _number_compare(lambda a, e: a >= e),
    "Bool": lambda a, e: a.lower() == e.lower(),
    "IpAddress": _in_network,
    "ArnEquals": lambda a, e: arn_like(e, a),  # AWS matches ArnEquals exactly like ArnLike
    "ArnLike": lambda a, e: arn_like(e, a),
}
# negated operator → the operator it negates
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
_QUALIFIERS = ("ForAnyValue", "ForAllValues")


@dataclass(frozen=True)
class Operator:
    """One parsed operator, e.g. `ForAnyValue:StringNotLikeIfExists`."""

    test: Callable[[str, str], bool]
    negated: bool
    if_exists: bool
    qualifier: str | None  # ForAnyValue, ForAllValues or None (a single-valued key)

    def value_holds(self, actual: str, expected: list[str]) -> bool:
        return any(self.test(actual, e) for e in expected) != self.negated

    def key_holds(self, actual: list[str] | None, expected: list[str]) -> bool:
        if actual is None:  # the key is not in the request context
            if self.if_exists or self.qualifier == "ForAllValues":
                return True
            return self.negated and self.qualifier is None
        holds = [self.value_holds(value, expected) for value in actual]
        # ForAllValues: every request value matches (true for none); otherwise at least one
        return all(holds) if self.qualifier == "ForAllValues" else any(holds)


def parse_operator(name: str) -> Operator | None:
    """The operator, or None for one this engine does not know."""
    qualifier, _, base = name.rpartition(":")
    if qualifier and qualifier not in _QUALIFIERS:
        return None
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    positive = _NEGATED.get(base, base)
    test = _POSITIVE.get(positive)
    if test is None:
        return None
    return Operator(test, base in _NEGATED, if_exists, qualifier or None)


def as_strings(value: object) -> list[str]:
    """Policy values as strings: JSON booleans and numbers are written the way AWS reads them."""
    values = value if isinstance(value, list) else [value]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in values]


def _null_holds(actual: list[str] | None, expected: list[str]) -> bool:
    # `Null: {key: "true"}` holds when the key is absent, `"false"` when it is present
    return any((e.lower() == "true") == (actual is None) for e in expected)


def conditions_hold(block: Mapping[str, object], context: Context) -> bool:
    """Whether every condition of a statement's `Condition` block holds.

    An operator this engine does not know makes the block not hold, so its statement does not
    apply: a Deny is then not enforced, an Allow not granted (the request falls back to what
    the caller's own permissions allow).
    """
    for name, keys in block.items():
        if not isinstance(keys, Mapping):
            return False
        for key, value in keys.items():
            actual, expected = context.get(str(key).lower()), as_strings(value)
            if name == "Null":
                holds = _null_holds(actual, expected)
            elif (operator := parse_operator(name)) is not None:
                holds = operator.key_holds(actual, expected)
            else:
                _log.debug("condition operator %s is not known to the sandbox: ignored", name)
                return False
            if not holds:
                return False
    return True
