"""cfn_lambda_functions: a CloudFormation-made function keeps its Layers, `Ref` of a layer version
is its ARN under its LayerName, bad runtimes fail, and the stack's delete removes both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from tests.sandbox.cfn_support import LAMBDA_TRUST, code_bucket, create, outputs, unique

Aws = Callable[[str], Any]


def function_stack(name: str, bucket: str, runtime: str = "python3.11") -> dict[str, Any]:
    return {
        "Resources": {
            "Layer": {
                "Type": "AWS::Lambda::LayerVersion",
                "Properties": {
                    "LayerName": f"{name}-layer",
                    "Content": {"S3Bucket": bucket, "S3Key": "layer.zip"},
                },
            },
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {"AssumeRolePolicyDocument": LAMBDA_TRUST},
            },
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "FunctionName": name,
                    "Runtime": runtime,
                    "Handler": "app.handler",
                    "Timeout": 9,
                    "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                    "Layers": [{"Ref": "Layer"}],
                    "Code": {"S3Bucket": bucket, "S3Key": "app.zip"},
                    "Environment": {"Variables": {"A": "b"}},
                },
            },
        },
        "Outputs": {"Layer": {"Value": {"Ref": "Layer"}}},
    }


def test_function_keeps_layers_and_goes_with_its_stack(aws: Aws) -> None:
    cfn, lam, name = aws("cloudformation"), aws("lambda"), unique("fn")
    done = create(cfn, name, function_stack(name, code_bucket(aws("s3"))))
    layer_arn = outputs(done)["Layer"]
    config = lam.get_function_configuration(FunctionName=name)

    assert done["StackStatus"] == "CREATE_COMPLETE"
    assert layer_arn.endswith(f":layer:{name}-layer:1")
    assert [layer["Arn"] for layer in config["Layers"]] == [layer_arn]
    assert (config["Timeout"], config["Environment"]) == (9, {"Variables": {"A": "b"}})
    cfn.delete_stack(StackName=name)
    for call in (
        lambda: lam.get_function(FunctionName=name),
        lambda: lam.get_layer_version(LayerName=f"{name}-layer", VersionNumber=1),
    ):
        try:
            call()
            raise AssertionError("still there after the stack's delete")
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "ResourceNotFoundException"


def test_unknown_runtime_rolls_back(aws: Aws) -> None:
    cfn, name = aws("cloudformation"), unique("cobol")
    done = create(cfn, name, function_stack(name, code_bucket(aws("s3")), runtime="cobol"))

    assert done["StackStatus"] == "ROLLBACK_COMPLETE"
