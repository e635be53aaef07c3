"""cfn_s3_buckets: an `AWS::S3::Bucket`'s `NotificationConfiguration` is applied on create and
update (and cleared when removed), so an upload invokes the function with an ObjectCreated event."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from moto.s3 import notifications

from orchestrator.sandbox.cloudformation.resource_types.s3_buckets import notification_config
from tests.conftest import REPO
from tests.sandbox.cfn_support import (
    CAPABILITIES,
    create,
    inline_function,
    settle,
    unique,
)
from tests.sandbox.lambda_support import function
from tests.waiting import wait_until

Aws = Callable[[str], Any]
# appends one line per record: the event name and the key
RECORDER = """
import json, os
def handler(event, context):
    with open(os.environ["OUT"], "a") as out:
        for record in event["Records"]:
            out.write(json.dumps([record["eventName"], record["s3"]["object"]["key"]]) + "\\n")
"""
QR_UPLOADS = REPO / "stacks" / "s3-qr-uploads" / "template.yaml"


def stack(bucket: str, out: Path) -> dict[str, Any]:
    notification = {
        "Event": "s3:ObjectCreated:*",
        "Function": {"Fn::GetAtt": ["Fn", "Arn"]},
        "Filter": {
            "S3Key": {
                "Rules": [
                    {"Name": "prefix", "Value": "uploads/"},
                    {"Name": "Suffix", "Value": ".zip"},
                ]
            }
        },
    }
    return {
        "Resources": {
            **inline_function(RECORDER, out),
            # S3 checks its permission to invoke when the configuration is put: on AWS the bucket
            # must come after the permission
            "Permission": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": {"Ref": "Fn"},
                    "Action": "lambda:InvokeFunction",
                    "Principal": "s3.amazonaws.com",
                    "SourceArn": f"arn:aws:s3:::{bucket}",
                    "SourceAccount": {"Ref": "AWS::AccountId"},
                },
            },
            "Bucket": {
                "Type": "AWS::S3::Bucket",
                "DependsOn": "Permission",
                "Properties": {
                    "BucketName": bucket,
                    "NotificationConfiguration": {"LambdaConfigurations": [notification]},
                },
            },
        }
    }


def recorded(out: Path, expected: int) -> list[list[str]]:
    """The records the function wrote once there are `expected` of them."""

    def lines() -> list[str]:
        return out.read_text().splitlines() if out.exists() else []

    wait_until(lambda: len(lines()) >= expected, lambda: f"{expected} records in {lines()}")
    return [json.loads(line) for line in lines()]


def lambda_notifications(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(function ARN, key) of every Lambda notification S3 sends from now on, as it sends it.

    S3 picks the notifications an upload fires inside PutObject, and only then starts each
    invocation, on a thread of its own: invocations finish in no set order, so a later upload's
    record proves nothing about an earlier one. What was sent is known for sure, though, once
    PutObject has answered (the engine runs in this process)."""
    sent: list[tuple[str, str]] = []
    send = notifications._invoke_awslambda

    def recording(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None:
        sent.extend((fn_arn, r["s3"]["object"]["key"]) for r in event_body["Records"])
        send(account_id, event_body, fn_arn, region_name)

    monkeypatch.setattr(notifications, "_invoke_awslambda", recording)
    return sent


def empty_and_delete(aws: Aws, stack_name: str, bucket: str) -> None:
    s3 = aws("s3")
    for found in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        s3.delete_object(Bucket=bucket, Key=found["Key"])
    aws("cloudformation").delete_stack(StackName=stack_name)


def test_an_upload_invokes_the_function_the_template_names(
    aws: Aws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfn, s3, name, out = aws("cloudformation"), aws("s3"), unique("notify"), tmp_path / "ev"
    done = create(cfn, name, stack(name, out))
    sent = lambda_notifications(monkeypatch)
    s3.put_object(Bucket=name, Key="other/skipped.zip", Body=b"x")
    s3.put_object(Bucket=name, Key="uploads/a.txt", Body=b"x")
    s3.put_object(Bucket=name, Key="uploads/a.zip", Body=b"zip")
    notified = [key for _, key in sent]  # final: every PutObject has answered
    records = recorded(out, 1)
    [config] = s3.get_bucket_notification_configuration(Bucket=name)["LambdaFunctionConfigurations"]
    fn = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Fn")
    fn_arn = aws("lambda").get_function(
        FunctionName=fn["StackResourceDetail"]["PhysicalResourceId"]
    )["Configuration"]["FunctionArn"]
    empty_and_delete(aws, name, name)

    assert done["StackStatus"] == "CREATE_COMPLETE"
    assert notified == ["uploads%2Fa.zip"]  # the filtered-out keys fired nothing
    assert records == [["ObjectCreated:Put", "uploads%2Fa.zip"]]
    assert [arn for arn, _ in sent] == [fn_arn]
    assert (config["LambdaFunctionArn"], config["Events"]) == (fn_arn, ["s3:ObjectCreated:*"])
    # S3 takes the rule names in any case
    assert [(r["Name"].lower(), r["Value"]) for r in config["Filter"]["Key"]["FilterRules"]] == [
        ("prefix", "uploads/"),
        ("suffix", ".zip"),
    ]


def test_an_update_changes_and_then_clears_the_configuration(aws: Aws, tmp_path: Path) -> None:
    cfn, s3, name, out = aws("cloudformation"), aws("s3"), unique("renotify"), tmp_path / "ev"
    template = stack(name, out)
    create(cfn, name, template)
    changed = copy.deepcopy(template)
    bucket = changed["Resources"]["Bucket"]["Properties"]
    bucket["NotificationConfiguration"]["LambdaConfigurations"][0]["Filter"] = {
        "S3Key": {"Rules": [{"Name": "prefix", "Value": "incoming/"}]}
    }
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(changed), Capabilities=CAPABILITIES)
    updated = settle(cfn, name)["StackStatus"]
    s3.put_object(Bucket=name, Key="incoming/b.bin", Body=b"b")
    records = recorded(out, 1)
    del bucket["NotificationConfiguration"]
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(changed), Capabilities=CAPABILITIES)
    cleared = settle(cfn, name)["StackStatus"]
    config = s3.get_bucket_notification_configuration(Bucket=name)
    empty_and_delete(aws, name, name)

    assert (updated, cleared) == ("UPDATE_COMPLETE", "UPDATE_COMPLETE")
    assert records == [["ObjectCreated:Put", "incoming%2Fb.bin"]]
    assert config.get("LambdaFunctionConfigurations", []) == []


def test_the_qr_uploads_stack_notifies_its_function(
    aws: Aws, lambda_role: str, tmp_path: Path
) -> None:
    cfn, s3, name, out = aws("cloudformation"), aws("s3"), unique("qr-uploads"), tmp_path / "ev"
    with function(aws, lambda_role, RECORDER, Environment={"Variables": {"OUT": str(out)}}) as fn:
        arn = aws("lambda").get_function(FunctionName=fn)["Configuration"]["FunctionArn"]
        cfn.create_stack(
            StackName=name,
            TemplateBody=QR_UPLOADS.read_text(),
            Parameters=[
                {"ParameterKey": "BucketName", "ParameterValue": name},
                {"ParameterKey": "UploadEventFunctionArn", "ParameterValue": arn},
                {"ParameterKey": "AllowedOrigins", "ParameterValue": "https://app.example.com"},
            ],
        )
        status = settle(cfn, name)["StackStatus"]
        s3.put_object(Bucket=name, Key="session-uploads/s1/qr.png", Body=b"png")
        records = recorded(out, 1)
        config = s3.get_bucket_notification_configuration(Bucket=name)
        empty_and_delete(aws, name, name)

    assert status == "CREATE_COMPLETE"
    assert records == [["ObjectCreated:Put", "session-uploads%2Fs1%2Fqr.png"]]
    assert [c["LambdaFunctionArn"] for c in config["LambdaFunctionConfigurations"]] == [arn]


def test_queues_topics_and_eventbridge_take_moto_s_form() -> None:
    configuration = {
        "QueueConfigurations": [{"Event": "s3:ObjectRemoved:*", "Queue": "arn:aws:sqs:q"}],
        "TopicConfigurations": [
            {
                "Event": "s3:ObjectCreated:Put",
                "Topic": "arn:aws:sns:t",
                "Filter": {"S3Key": {"Rules": [{"Name": "Prefix", "Value": "p/"}]}},
            }
        ],
        "EventBridgeConfiguration": {"EventBridgeEnabled": True},
    }

    assert notification_config(configuration) == {
        "QueueConfiguration": [{"Queue": "arn:aws:sqs:q", "Event": ["s3:ObjectRemoved:*"]}],
        "TopicConfiguration": [
            {
                "Topic": "arn:aws:sns:t",
                "Event": ["s3:ObjectCreated:Put"],
                "Filter": {"S3Key": {"FilterRule": [{"Name": "prefix", "Value": "p/"}]}},
            }
        ],
        "EventBridgeConfiguration": {},
    }
    assert notification_config({}) == {}
