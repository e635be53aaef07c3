"""Session records of the QR-upload flow (seed 004) in DynamoDB, shared by both functions.

Table: partition key `sessionId` (S), TTL attribute `expiresAt` (epoch seconds). Item:
`sessionId`, `status`, `createdAt`, `expiresAt`, `wsConnectionId`, `uploadKey`, and
`completedAt` once the upload has arrived.
"""

from typing import Any

import boto3
from boto3.dynamodb.conditions import Attr, ConditionBase
from botocore.exceptions import ClientError

from shared.config import require_env
from shared.constants import SESSIONS_TABLE_NAME_ENV
from shared.dynamodb import is_conditional_check_failed

# boto3 generates "#n0"/":v0" placeholders for condition objects and merges them with ours,
# so ours use a prefix of their own to never collide.
_NAME = "#upd"
_VALUE = ":upd"


def _set_expression(updates: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """`SET #upd0 = :upd0, ...` with its names and values; every attribute name is a
    placeholder, so reserved words (`status`) and any other name are safe."""
    if not updates:
        raise ValueError("updates must not be empty")
    if "sessionId" in updates:
        raise ValueError("sessionId is the key and cannot be updated")
    names = {f"{_NAME}{index}": attribute for index, attribute in enumerate(updates)}
    values = {f"{_VALUE}{index}": value for index, value in enumerate(updates.values())}
    assignments = [f"{_NAME}{index} = {_VALUE}{index}" for index in range(len(updates))]
    return "SET " + ", ".join(assignments), names, values


class SessionStore:
    """The seed's utils/dynamodb.py functions, bound to one table resource."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def save_session(self, session_data: dict[str, Any]) -> None:
        """Save new session to DynamoDB."""
        self.table.put_item(Item=session_data)

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        """Retrieve session by ID.

        Strongly consistent: the web app opens its WebSocket right after creating the session,
        and an eventually consistent read could reject that connection as unknown.
        """
        response = self.table.get_item(Key={"sessionId": session_id}, ConsistentRead=True)
        item: dict[str, Any] | None = response.get("Item")
        return item

    def update_session(
        self,
        session_id: str,
        updates: dict[str, Any],
        condition: ConditionBase | None = None,
    ) -> dict[str, Any] | None:
        """Update session attributes; the updated item, or None when the session is gone or
        `condition` does not hold.

        The update never creates an item: a session removed by TTL between a read and this write
        must not come back as a fragment without its expiry.
        """
        expression, names, values = _set_expression(updates)
        must_hold = Attr("sessionId").exists()
        if condition is not None:
            must_hold = must_hold & condition
        try:
            response = self.table.update_item(
                Key={"sessionId": session_id},
                UpdateExpression=expression,
                ConditionExpression=must_hold,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if is_conditional_check_failed(error):
                return None
            raise
        item: dict[str, Any] = response["Attributes"]
        return item

    def get_session_by_connection_id(self, connection_id: str) -> dict[str, Any] | None:
        """Find session by WebSocket connection ID.

        A filtered scan reads one page (1 MB) per call, so a match can sit on any later page:
        keep scanning until one is found or the table ends.
        """
        kwargs: dict[str, Any] = {"FilterExpression": Attr("wsConnectionId").eq(connection_id)}
        while True:
            response = self.table.scan(**kwargs)
            items = response.get("Items", [])
            if items:
                item: dict[str, Any] = items[0]
                return item
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                return None
            kwargs["ExclusiveStartKey"] = last_key

    def clear_connection_id(self, session_id: str, connection_id: str) -> dict[str, Any] | None:
        """Forget `connection_id` on the session, unless a newer connection has replaced it."""
        return self.update_session(
            session_id,
            {"wsConnectionId": None},
            condition=Attr("wsConnectionId").eq(connection_id),
        )


def open_session_store() -> SessionStore:
    """The store on the table SESSIONS_TABLE_NAME names; call once per container, at import."""
    return SessionStore(boto3.resource("dynamodb").Table(require_env(SESSIONS_TABLE_NAME_ENV)))
