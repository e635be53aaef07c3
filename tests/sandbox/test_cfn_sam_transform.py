"""sam: a `Transform: AWS::Serverless-2016-10-31` template is expanded by the engine, offline."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from tests.sandbox.cfn_support import change_set, code_bucket, outputs, settle, unique

Aws = Callable[[str], Any]


def test_sam_template_deploys_through_a_change_set(aws: Aws) -> None:
    cfn, name = aws("cloudformation"), unique("sam")
    bucket = code_bucket(aws("s3"))
    template = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Api": {"Type": "AWS::Serverless::HttpApi", "Properties": {"StageName": "prod"}},
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "FunctionName": name,
                    "Runtime": "python3.11",
                    "Handler": "app.handler",
                    "CodeUri": f"s3://{bucket}/app.zip",
                    "Policies": ["AmazonS3ReadOnlyAccess"],
                    "Events": {
                        "Get": {
                            "Type": "HttpApi",
                            "Properties": {"ApiId": {"Ref": "Api"}, "Path": "/x", "Method": "GET"},
                        }
                    },
                },
            },
        },
        "Outputs": {
            "Arn": {"Value": {"Fn::GetAtt": ["Fn", "Arn"]}},
            "Api": {"Value": {"Ref": "Api"}},
        },
    }
    ready = change_set(cfn, name, template)
    cfn.execute_change_set(StackName=name, ChangeSetName="deploy")
    done = settle(cfn, name)
    routes = aws("apigatewayv2").get_routes(ApiId=outputs(done)["Api"])["Items"]

    assert ready["Status"] == "CREATE_COMPLETE"
    assert done["StackStatus"] == "CREATE_COMPLETE"
    assert outputs(done)["Arn"].endswith(f":function:{name}")
    assert [r["RouteKey"] for r in routes] == ["GET /x"]
    assert "Transform" in cfn.get_template(StackName=name)["TemplateBody"]


def test_invalid_sam_fails_the_change_set_as_sam_cli_reports_it(aws: Aws) -> None:
    cfn, name = aws("cloudformation"), unique("badsam")
    template = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Runtime": "python3.11", "Handler": "app.handler"},
            }
        },
    }
    ready = change_set(cfn, name, template)

    assert (ready["Status"], ready["ExecutionStatus"]) == ("FAILED", "UNAVAILABLE")
    assert ready["StatusReason"].startswith("Transform AWS::Serverless-2016-10-31 failed with:")


def test_create_stack_with_a_transform_needs_auto_expand(aws: Aws) -> None:
    cfn = aws("cloudformation")
    template = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {"T": {"Type": "AWS::Serverless::SimpleTable"}},
    }
    try:
        cfn.create_stack(StackName=unique("expand"), TemplateBody=json.dumps(template))
        raise AssertionError("create_stack accepted a transform without CAPABILITY_AUTO_EXPAND")
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "InsufficientCapabilitiesException"
