"""Steps the CloudFormation tests share: unique names, stacks made and settled, events."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from tests.waiting import DEADLINE, wait_until

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
KEY = {
    "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
}
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def inline_function(code: str, out: Path | None = None) -> dict[str, Any]:
    """Template resources: a role and a python3.11 function "Fn" with inline `code`, which gets
    the path `out` (where it records what it saw), if any, as its OUT variable."""
    return {
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {"AssumeRolePolicyDocument": LAMBDA_TRUST},
        },
        "Fn": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": "python3.11",
                "Handler": "index.handler",
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "Code": {"ZipFile": code},
                **({"Environment": {"Variables": {"OUT": str(out)}}} if out else {}),
            },
        },
    }


def error_code(call: Callable[[], Any]) -> str | None:
    """The AWS error code `call` fails with, or None when it succeeds."""
    try:
        call()
    except ClientError as exc:
        return str(exc.response["Error"]["Code"])
    return None


def unique(stem: str) -> str:
    return f"t-{uuid.uuid4().hex[:6]}-{stem}"


def settle(cfn: Any, stack: str, timeout: float = DEADLINE) -> dict[str, Any]:
    """The stack once no operation is in progress."""

    def settled() -> dict[str, Any] | None:
        found: dict[str, Any] = cfn.describe_stacks(StackName=stack)["Stacks"][0]
        return None if found["StackStatus"].endswith("_IN_PROGRESS") else found

    return wait_until(settled, f"stack {stack} to leave *_IN_PROGRESS", timeout)


def create(cfn: Any, stack: str, template: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    cfn.create_stack(
        StackName=stack, TemplateBody=json.dumps(template), Capabilities=CAPABILITIES, **kwargs
    )
    return settle(cfn, stack)


def change_set(
    cfn: Any,
    stack: str,
    template: dict[str, Any],
    name: str = "deploy",
    kind: str = "CREATE",
    **kwargs: Any,
) -> dict[str, Any]:
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName=name,
        ChangeSetType=kind,
        TemplateBody=json.dumps(template),
        Capabilities=CAPABILITIES,
        **kwargs,
    )
    described: dict[str, Any] = cfn.describe_change_set(StackName=stack, ChangeSetName=name)
    return described


def outputs(stack: dict[str, Any]) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def resource_events(cfn: Any, stack: str) -> list[tuple[str, str, str]]:
    """(logical id, status, reason) of the resource events, oldest first."""
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    return [
        (e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason", ""))
        for e in reversed(events)
        if e["ResourceType"] != "AWS::CloudFormation::Stack"
    ]


def zip_bytes(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def code_bucket(s3: Any) -> str:
    """A bucket holding app.zip (a handler) and layer.zip (a Python layer)."""
    bucket = unique("code")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(
        Bucket=bucket,
        Key="app.zip",
        Body=zip_bytes({"app.py": "def handler(event, context):\n    return event\n"}),
    )
    s3.put_object(
        Bucket=bucket, Key="layer.zip", Body=zip_bytes({"python/shared.py": "VALUE = 1\n"})
    )
    return bucket
