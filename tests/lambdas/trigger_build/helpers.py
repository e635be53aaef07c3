"""Constants and helpers the tests of this package share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from tests.lambdas.support import (
    BUILDS_TABLE,
)

BUCKET = "dev-aws-deployer-artifacts"
PREFIX = "Failed to start step function: "

Event = dict[str, Any]
EventLoader = Callable[[str], Event]


def insert_images(dynamodb: Any, event: Event) -> None:
    """Write each INSERT's NewImage, as s3-trigger did before the stream delivered it."""
    for record in event["Records"]:
        if record["eventName"] == "INSERT":
            dynamodb.put_item(TableName=BUILDS_TABLE, Item=record["dynamodb"]["NewImage"])


def get_build(dynamodb: Any, record: Event) -> dict[str, Any] | None:
    item = dynamodb.get_item(TableName=BUILDS_TABLE, Key=record["dynamodb"]["Keys"]).get("Item")
    if item is None:
        return None
    deserializer = TypeDeserializer()
    return {name: deserializer.deserialize(value) for name, value in item.items()}


def executions(sfn: Any, state_machine: str) -> list[dict[str, Any]]:
    listed = sfn.list_executions(stateMachineArn=state_machine)["executions"]
    return [sfn.describe_execution(executionArn=e["executionArn"]) for e in listed]


def messages(lines: list[dict[str, Any]]) -> list[str]:
    return [line["message"] for line in lines]


def seq(record: Event) -> str:
    return str(record["dynamodb"]["SequenceNumber"])
