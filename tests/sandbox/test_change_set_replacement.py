"""A change set says whether a modified resource is replaced, as CloudFormation does: True for
a changed create-only property (a table's KeySchema or TableName), False for an in-place
update, from the resource type's provider schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.sandbox.cfn_support import KEY, change_set, create, unique


def _table(name: str, **properties: Any) -> dict[str, Any]:
    return {
        "Resources": {
            "Table": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {"TableName": name, **KEY, **properties},
            }
        }
    }


def _modify(ready: dict[str, Any]) -> dict[str, Any]:
    (change,) = [c["ResourceChange"] for c in ready["Changes"]]
    assert change["Action"] == "Modify"
    return dict(change)


def test_a_new_key_schema_replaces_the_table(aws: Callable[[str], Any]) -> None:
    cfn, stack = aws("cloudformation"), unique("keys")
    create(cfn, stack, _table(stack))
    rekeyed = _table(
        stack,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )

    ready = change_set(cfn, stack, rekeyed, name="rekey", kind="UPDATE")

    assert _modify(ready)["Replacement"] == "True"


def test_an_in_place_change_does_not_replace(aws: Callable[[str], Any]) -> None:
    cfn, stack = aws("cloudformation"), unique("inplace")
    create(cfn, stack, _table(stack))
    protected = _table(stack, DeletionProtectionEnabled=True)

    ready = change_set(cfn, stack, protected, name="protect", kind="UPDATE")

    assert _modify(ready)["Replacement"] == "False"
