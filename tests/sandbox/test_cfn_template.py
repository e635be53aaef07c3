"""Templates and intrinsic functions, without an engine: YAML short forms, parameters, references,
conditions and the order resources are made in."""

from __future__ import annotations

from typing import Any

import pytest
from moto.cloudformation.exceptions import ValidationError

from orchestrator.sandbox.cloudformation.intrinsics import (
    NO_VALUE,
    Context,
    ResolveError,
    evaluate_conditions,
    resolve,
)
from orchestrator.sandbox.cloudformation.model import Resource
from orchestrator.sandbox.cloudformation.template import (
    creation_order,
    parse,
    resolve_parameters,
    validate,
)


def made(logical_id: str, physical_id: str) -> Resource:
    return Resource(logical_id, "AWS::SQS::Queue", {}, {}, physical_id, None, "CREATE_COMPLETE")


def test_yaml_short_forms_and_string_dates() -> None:
    template = parse(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
        "    Properties:\n      QueueName: !Sub '${AWS::StackName}-q'\n"
        "      Arn: !GetAtt T.Arn\n      V: 2012-10-17\n"
    )
    properties = template["Resources"]["Q"]["Properties"]

    assert properties["QueueName"] == {"Fn::Sub": "${AWS::StackName}-q"}
    assert properties["Arn"] == {"Fn::GetAtt": ["T", "Arn"]}
    assert properties["V"] == "2012-10-17"


def test_intrinsics_resolve_against_what_exists() -> None:
    ctx = Context(
        {"Env": "dev", "AWS::Region": "us-east-1"},
        mappings={"M": {"dev": {"Size": "1"}}},
        resources={"Q": made("Q", "queue-url")},
        attribute=lambda resource, name: f"{resource.physical_id}#{name}",
    )
    ctx.conditions = {"IsDev": True}
    value = {
        "A": {"Fn::Sub": "${Env}-${Q}-${Q.Arn}-${!Literal}"},
        "B": {"Fn::If": ["IsDev", {"Fn::FindInMap": ["M", {"Ref": "Env"}, "Size"]}, "0"]},
        "C": {"Ref": "AWS::NoValue"},
        "D": {"Fn::Join": [",", [{"Fn::Select": [1, {"Fn::Split": ["/", "a/b"]}]}, "c"]]},
    }

    assert resolve(value, ctx) == {
        "A": "dev-queue-url-queue-url#Arn-${Literal}",
        "B": "1",
        "D": "b,c",
    }
    assert resolve([{"Ref": "AWS::NoValue"}], ctx) == []
    assert NO_VALUE is not None
    with pytest.raises(ResolveError):
        resolve({"Ref": "NotMadeYet"}, ctx)


def test_conditions_may_refer_to_each_other() -> None:
    template = {
        "Conditions": {
            "Both": {"Fn::And": [{"Condition": "IsDev"}, {"Fn::Not": [{"Condition": "IsPrd"}]}]},
            "IsDev": {"Fn::Equals": [{"Ref": "Env"}, "dev"]},
            "IsPrd": {"Fn::Equals": [{"Ref": "Env"}, "prd"]},
        }
    }

    assert evaluate_conditions(template, Context({"Env": "dev"})) == {
        "Both": True,
        "IsDev": True,
        "IsPrd": False,
    }


def test_parameters_previous_default_and_errors() -> None:
    template: dict[str, Any] = {
        "Parameters": {"A": {"Type": "String", "Default": "x"}, "B": {"Type": "Number"}}
    }

    assert resolve_parameters(
        template, [{"ParameterKey": "B", "UsePreviousValue": True}], {"B": "3"}
    ) == {"B": "3", "A": "x"}
    for given, message in (
        ([], "must have values"),
        ([{"ParameterKey": "C", "ParameterValue": "1"}], "do not exist"),
        ([{"ParameterKey": "B", "ParameterValue": "x"}], "must be a number"),
    ):
        with pytest.raises(ValidationError, match=message):
            resolve_parameters(template, given)


def test_creation_order_follows_references_and_depends_on() -> None:
    resources = {
        "C": {"Properties": {"X": {"Fn::GetAtt": ["B", "Arn"]}}},
        "B": {"DependsOn": "A"},
        "A": {},
    }

    assert creation_order(resources) == ["A", "B", "C"]
    with pytest.raises(ValidationError, match="Circular dependency"):
        creation_order({"A": {"DependsOn": "B"}, "B": {"DependsOn": "A"}})


def test_validation_names_unresolved_references() -> None:
    with pytest.raises(ValidationError, match=r"Unresolved resource dependencies \[Nope\]"):
        validate({"Resources": {"Q": {"Type": "T", "DependsOn": "Nope"}}}, lambda kind, name: None)
    with pytest.raises(ValidationError, match="At least one Resources member"):
        validate({"Outputs": {}}, lambda kind, name: None)
