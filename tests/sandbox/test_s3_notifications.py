"""S3 event notifications invoke the function asynchronously: PutObject answers at once, and the
handler runs with the S3 event."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.sandbox.cfn_support import unique
from tests.sandbox.lambda_support import function
from tests.waiting import written

HOLD_SECONDS = 30  # how long the handler waits to be released before it reports it was not
# Holds on until the test releases it, which the test does only once PutObject has answered;
# then writes the keys and whether it was released (write-then-rename: never seen half-written).
GATED_RECORDER = f"""
import json, os, pathlib, time
def handler(event, context):
    release = pathlib.Path(os.environ["RELEASE"])
    deadline = time.monotonic() + {HOLD_SECONDS}
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    keys = [r["s3"]["object"]["key"] for r in event["Records"]]
    out = pathlib.Path(os.environ["OUT"])
    partial = out.with_suffix(".partial")
    partial.write_text(json.dumps({{"keys": keys, "released": release.exists()}}))
    os.replace(partial, out)
"""


def test_an_object_created_event_runs_the_handler_after_put_object_returns(
    aws: Any, lambda_role: str, tmp_path: Path
) -> None:
    s3, bucket = aws("s3"), unique("uploads")
    out, release = tmp_path / "keys.json", tmp_path / "release"
    s3.create_bucket(Bucket=bucket)
    environment = {"Variables": {"OUT": str(out), "RELEASE": str(release)}}
    with function(
        aws, lambda_role, GATED_RECORDER, Environment=environment, Timeout=HOLD_SECONDS + 30
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
        s3.put_object(Bucket=bucket, Key="uploads/a.zip", Body=b"zip")
        # Only now may the handler finish. Had PutObject waited for it, the handler would have
        # given up waiting (after HOLD_SECONDS) before PutObject answered, and said so.
        release.touch()
        seen = json.loads(written(out))
    s3.delete_object(Bucket=bucket, Key="uploads/a.zip")
    s3.delete_bucket(Bucket=bucket)

    assert seen["released"], "the handler ran inside PutObject, not after it answered"
    # S3 URL-encodes the key in event notifications (AWS's sample event: "test%2Fkey")
    assert seen["keys"] == ["uploads%2Fa.zip"]
