"""DynamoDB stream event source mappings deliver stream records to their function: from their
starting position, in batches, in order, retrying failures (ReportBatchItemFailures), while the
stream keeps its records."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestrator.sandbox.fixes import dynamodb_stream_mappings_deliver as delivery
from tests.sandbox.cfn_support import KEY, create, inline_function, unique
from tests.sandbox.lambda_support import function
from tests.waiting import DEADLINE, wait_until, written

RECORDER = """
import json, os, pathlib
def handler(event, context):
    keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"]]
    out = pathlib.Path(os.environ["OUT"])
    with out.open("a") as seen:
        seen.write(json.dumps(keys) + "\\n")
    marker = out.with_suffix(".failed-once")
    if "bad" in keys and not marker.exists():
        marker.write_text("1")
        bad = next(r for r in event["Records"] if r["dynamodb"]["Keys"]["pk"]["S"] == "bad")
        return {"batchItemFailures": [{"itemIdentifier": bad["dynamodb"]["SequenceNumber"]}]}
    if "poison" in keys:
        raise ValueError("poison record")
    return {"batchItemFailures": []}
"""


class Streamed:
    """A table with a stream, a recording function, and what that function has seen."""

    def __init__(self, aws: Callable[[str], Any], table: str, function: str, out: Path):
        self.aws, self.table, self.function, self.out = aws, table, function, out
        self.stream_arn: str = aws("dynamodb").describe_table(TableName=table)["Table"][
            "LatestStreamArn"
        ]

    def put(self, *keys: str) -> None:
        for key in keys:
            self.aws("dynamodb").put_item(TableName=self.table, Item={"pk": {"S": key}})

    def map(self, **kwargs: Any) -> str:
        uuid: str = self.aws("lambda").create_event_source_mapping(
            EventSourceArn=self.stream_arn, FunctionName=self.function, **kwargs
        )["UUID"]
        return uuid

    def seen(self) -> list[list[str]]:
        if not self.out.exists():
            return []
        return [json.loads(line) for line in self.out.read_text().splitlines()]

    def wait_for(self, batches: int) -> list[list[str]]:
        """What the function has seen once it has seen `batches` batches."""
        wait_until(
            lambda: len(self.seen()) >= batches,
            lambda: f"{batches} batches; the function has seen {self.seen()}",
        )
        return self.seen()


def poller(uuid: str) -> delivery._Deliverer:
    """The thread that polls the stream for one mapping (the engine runs in this process)."""
    with delivery._lock:
        return delivery._deliverers[uuid]


def wait_for_whole_rounds(uuid: str) -> None:
    """Return once the mapping's poller has run a whole round of its loop that began after this
    call: looked at its mapping and, were it to deliver, delivered (synchronously, the
    function's output written) what its stream held when the call was made.

    The poller clears its `wake` event each time it wakes, then runs a round (reads its
    mapping, delivers a batch or idles) before it waits again. A clear seen after our `set`
    means a round starts after that; the next clear seen after another `set` means that round
    has ended. No length of time stands in for this: it is the poller's own progress."""
    thread = poller(uuid)
    for _ in range(2):
        thread.wake.set()
        wait_until(lambda: not thread.wake.is_set(), f"the poller of mapping {uuid} to run a round")


@pytest.fixture
def streamed(aws: Any, lambda_role: str, tmp_path: Path) -> Iterator[Streamed]:
    ddb, lam, table = aws("dynamodb"), aws("lambda"), unique("streamed")
    ddb.create_table(
        TableName=table,
        **KEY,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    out = tmp_path / "seen.jsonl"
    env = {"Variables": {"OUT": str(out)}}
    with function(aws, lambda_role, RECORDER, Environment=env) as name:
        yield Streamed(aws, table, name, out)
        for mapping in lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]:
            lam.delete_event_source_mapping(UUID=mapping["UUID"])
    ddb.delete_table(TableName=table)


def test_trim_horizon_delivers_earlier_records_in_batches_and_the_stream_keeps_them(
    streamed: Streamed,
) -> None:
    streamed.put("a", "b", "c", "d", "e")
    streamed.map(StartingPosition="TRIM_HORIZON", BatchSize=2)

    assert streamed.wait_for(3) == [["a", "b"], ["c", "d"], ["e"]]
    streams = streamed.aws("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=streamed.stream_arn)["StreamDescription"]["Shards"][
        0
    ]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=streamed.stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    assert len(streams.get_records(ShardIterator=iterator)["Records"]) == 5


def test_latest_delivers_only_what_is_written_after_the_mapping(streamed: Streamed) -> None:
    streamed.put("before")
    streamed.map(StartingPosition="LATEST")
    streamed.put("after")

    assert streamed.wait_for(1) == [["after"]]
    # A witness on the same mapping: its one poller delivers the stream in order, so once a
    # record written later has come through, "before" (had it been due) would have come first.
    streamed.put("later")
    assert streamed.wait_for(2) == [["after"], ["later"]]


def test_a_reported_item_failure_resumes_from_that_record(streamed: Streamed) -> None:
    streamed.put("a", "bad", "c")
    streamed.map(StartingPosition="TRIM_HORIZON", FunctionResponseTypes=["ReportBatchItemFailures"])

    assert streamed.wait_for(2) == [["a", "bad", "c"], ["bad", "c"]]


def test_without_report_batch_item_failures_a_returned_failure_is_success(
    streamed: Streamed,
) -> None:
    streamed.put("a", "bad")
    streamed.map(StartingPosition="TRIM_HORIZON")
    assert streamed.wait_for(1) == [["a", "bad"]]
    # Written only once the first batch was delivered, so it cannot join it; a retry of "bad"
    # would come before it, in the next batch.
    streamed.put("later")

    assert streamed.wait_for(2) == [["a", "bad"], ["later"]]


def test_a_failing_batch_is_retried_then_dropped_after_its_retries(streamed: Streamed) -> None:
    streamed.put("poison")
    streamed.map(StartingPosition="TRIM_HORIZON", MaximumRetryAttempts=1)
    assert streamed.wait_for(2) == [["poison"], ["poison"]]
    streamed.put("next")  # only now, so it cannot join a batch of the poison record

    assert streamed.wait_for(3) == [["poison"], ["poison"], ["next"]]


def test_a_disabled_mapping_waits_until_enabled(streamed: Streamed) -> None:
    uuid = streamed.map(StartingPosition="TRIM_HORIZON", Enabled=False)
    streamed.put("a")
    # The mapping's poller has since looked at its stream, "a" in it, and delivered nothing.
    # (A second mapping as a witness would prove nothing: each mapping has its own thread.)
    wait_for_whole_rounds(uuid)
    assert streamed.seen() == []

    streamed.aws("lambda").update_event_source_mapping(UUID=uuid, Enabled=True)

    assert streamed.wait_for(1) == [["a"]]


def test_a_deleted_mapping_delivers_no_more(streamed: Streamed) -> None:
    uuid = streamed.map(StartingPosition="TRIM_HORIZON")
    streamed.put("a")
    assert streamed.wait_for(1) == [["a"]]
    thread = poller(uuid)
    streamed.aws("lambda").delete_event_source_mapping(UUID=uuid)
    # The mapping's only poller ends once it sees its mapping gone: after that, nothing can
    # deliver for it. It looks at its mapping once per round, so "b" is written only then (a
    # round begun before the delete may still deliver what it finds); moto's own delivery,
    # inside the write, would show at once.
    thread.wake.set()  # rather than wait for its idle poll
    thread.join(timeout=DEADLINE)
    assert not thread.is_alive(), "the poller of a deleted mapping is still polling"
    streamed.put("b")

    assert streamed.seen() == [["a"]]


def test_bisecting_isolates_the_failing_record(streamed: Streamed) -> None:
    streamed.put("a", "b", "poison", "c")
    streamed.map(
        StartingPosition="TRIM_HORIZON",
        BatchSize=4,
        MaximumRetryAttempts=0,
        BisectBatchOnFunctionError=True,
    )

    assert streamed.wait_for(5) == [
        ["a", "b", "poison", "c"],
        ["a", "b"],
        ["poison", "c"],
        ["poison"],
        ["c"],
    ]


def test_a_mapping_made_by_cloudformation_delivers(aws: Any, tmp_path: Path) -> None:
    stack, out = unique("streamed-stack"), tmp_path / "seen.jsonl"
    handler = (
        "import json, os\ndef handler(event, context):\n"
        "    names = [r['eventName'] for r in event['Records']]\n"
        "    with open(os.environ['OUT'], 'a') as seen:\n"
        "        seen.write(json.dumps(names) + '\\n')\n"
    )
    done = create(
        aws("cloudformation"),
        stack,
        {
            "Resources": {
                "Table": {
                    "Type": "AWS::DynamoDB::Table",
                    "Properties": {
                        "TableName": stack,
                        **KEY,
                        "StreamSpecification": {"StreamViewType": "NEW_IMAGE"},
                    },
                },
                **inline_function(handler, out),
                "Mapping": {
                    "Type": "AWS::Lambda::EventSourceMapping",
                    "Properties": {
                        "EventSourceArn": {"Fn::GetAtt": ["Table", "StreamArn"]},
                        "FunctionName": {"Ref": "Fn"},
                        "StartingPosition": "LATEST",
                        "BatchSize": 10,
                    },
                },
            }
        },
    )
    try:
        assert done["StackStatus"] == "CREATE_COMPLETE"
        aws("dynamodb").put_item(TableName=stack, Item={"pk": {"S": "a"}})
        seen = written(out)
    finally:
        aws("cloudformation").delete_stack(StackName=stack)

    assert seen.splitlines() == ['["INSERT"]']
