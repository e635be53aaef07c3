"""S3 event notifications invoke the function asynchronously: PutObject answers at once, and the
handler runs with the S3 event."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.sandbox.cfn_support import unique
from tests.sandbox.lambda_support import function

SLOW_RECORDER = """
import json, os, pathlib, time
def handler(event, context):
    time.sleep(1.5)
    keys = [r["s3"]["object"]["key"] for r in event["Records"]]
    pathlib.Path(os.environ["OUT"]).write_text(json.dumps(keys))
"""


def test_an_object_created_event_runs_the_handler_after_put_object_returns(
    aws: Any, lambda_role: str, tmp_path: Path
) -> None:
    s3, bucket, out = aws("s3"), unique("uploads"), tmp_path / "keys.json"
    s3.create_bucket(Bucket=bucket)
    with function(
        aws, lambda_role, SLOW_RECORDER, Environment={"Variables": {"OUT": str(out)}}
    ) as name:
        arn = aws("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]
        s3.put_bucket_notification_configuration(
            Bucket=bucket,
            NotificationConfiguration={
                "LambdaFunctionConfigurations": [
                    {"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}
                ]
            },
        )
        started = time.monotonic()
        s3.put_object(Bucket=bucket, Key="uploads/a.zip", Body=b"zip")
        answered = time.monotonic() - started
        deadline = time.monotonic() + 15
        while not out.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    s3.delete_object(Bucket=bucket, Key="uploads/a.zip")
    s3.delete_bucket(Bucket=bucket)

    assert answered < 1.0
    # S3 URL-encodes the key in event notifications (AWS's sample event: "test%2Fkey")
    assert json.loads(out.read_text()) == ["uploads%2Fa.zip"]
