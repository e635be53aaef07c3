"""The sessions table access both QR-upload functions share (layer module shared.sessions)."""

from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from tests.lambdas.support import SESSIONS_TABLE, import_pure

SID = "3f2b7c1e-8a4d-4e6f-9b21-5c7d8e9fa0b1"
OTHER = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"


@pytest.fixture(scope="module")
def sessions_module() -> Any:
    return import_pure("shared.sessions")


@pytest.fixture
def table(sessions_table: Any) -> Any:
    return sessions_table


@pytest.fixture
def store(sessions_module: Any, table: Any) -> Any:
    return sessions_module.SessionStore(table)


def session(session_id: str = SID, **fields: Any) -> dict[str, Any]:
    item = {
        "sessionId": session_id,
        "status": "AWAITING_SCAN",
        "createdAt": 1_763_799_290,
        "expiresAt": 1_763_801_090,
        "wsConnectionId": None,
        "uploadKey": None,
    }
    item.update(fields)
    return item


def raw_item(session_id: str = SID) -> dict[str, Any]:
    item: dict[str, Any] = boto3.client("dynamodb").get_item(
        TableName=SESSIONS_TABLE, Key={"sessionId": {"S": session_id}}
    )["Item"]
    return item


def test_saved_session_reads_back_with_null_placeholders(store: Any) -> None:
    store.save_session(session())
    assert store.get_session(SID) == session()
    # The seed's None fields are stored as DynamoDB NULL, not omitted.
    assert raw_item()["wsConnectionId"] == {"NULL": True}
    assert raw_item()["uploadKey"] == {"NULL": True}
    assert raw_item()["expiresAt"] == {"N": "1763801090"}


def test_unknown_session_reads_as_none(store: Any) -> None:
    assert store.get_session(SID) is None


def test_update_sets_attributes_and_returns_the_new_item(store: Any) -> None:
    store.save_session(session())
    # "status" is a DynamoDB reserved word: only placeholders make this update legal.
    updated = store.update_session(SID, {"status": "UPLOAD_REQUESTED", "uploadKey": "k"})
    assert updated == session(status="UPLOAD_REQUESTED", uploadKey="k")
    assert store.get_session(SID) == updated


def test_update_never_creates_a_session(store: Any) -> None:
    assert store.update_session(SID, {"status": "COMPLETED"}) is None
    assert store.get_session(SID) is None


def test_update_with_a_failing_condition_changes_nothing(store: Any) -> None:
    store.save_session(session(status="COMPLETED"))
    result = store.update_session(
        SID, {"status": "UPLOAD_REQUESTED"}, condition=Attr("status").ne("COMPLETED")
    )
    assert result is None
    assert store.get_session(SID)["status"] == "COMPLETED"


def test_update_with_a_holding_condition_applies(store: Any) -> None:
    store.save_session(session())
    result = store.update_session(
        SID, {"status": "UPLOAD_REQUESTED"}, condition=Attr("status").ne("COMPLETED")
    )
    assert result is not None
    assert store.get_session(SID)["status"] == "UPLOAD_REQUESTED"


@pytest.mark.parametrize("updates", [{}, {"sessionId": OTHER}])
def test_update_refuses_empty_updates_and_the_key(store: Any, updates: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        store.update_session(SID, updates)


def test_other_dynamodb_errors_propagate(store: Any, table: Any) -> None:
    table.delete()
    with pytest.raises(ClientError) as raised:
        store.update_session(SID, {"status": "COMPLETED"})
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_session_is_found_by_connection_id(store: Any) -> None:
    store.save_session(session(OTHER, wsConnectionId="other-conn="))
    store.save_session(session(wsConnectionId="O8a2VeIroAMCJkQ="))
    assert store.get_session_by_connection_id("O8a2VeIroAMCJkQ=")["sessionId"] == SID
    assert store.get_session_by_connection_id("unknown=") is None


class PagedTable:
    """A table whose filtered scan returns the given pages, as DynamoDB does past 1 MB."""

    def __init__(self, pages: list[list[dict[str, Any]]]) -> None:
        self.pages = pages
        self.calls: list[dict[str, Any]] = []

    def scan(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        index = len(self.calls) - 1
        response: dict[str, Any] = {"Items": self.pages[index]}
        if index + 1 < len(self.pages):
            response["LastEvaluatedKey"] = {"sessionId": f"page-{index}"}
        return response


def test_connection_lookup_follows_scan_pages(sessions_module: Any) -> None:
    table = PagedTable([[], [], [session(wsConnectionId="c=")], [session(OTHER)]])
    found = sessions_module.SessionStore(table).get_session_by_connection_id("c=")
    assert found["sessionId"] == SID
    assert len(table.calls) == 3  # stops at the first match
    assert table.calls[1]["ExclusiveStartKey"] == {"sessionId": "page-0"}
    assert table.calls[2]["ExclusiveStartKey"] == {"sessionId": "page-1"}


def test_connection_lookup_ends_with_the_table(sessions_module: Any) -> None:
    table = PagedTable([[], []])
    assert sessions_module.SessionStore(table).get_session_by_connection_id("c=") is None
    assert len(table.calls) == 2


def test_clear_connection_id_clears_only_that_connection(store: Any) -> None:
    store.save_session(session(wsConnectionId="old="))
    assert store.clear_connection_id(SID, "newer=") is None
    assert store.get_session(SID)["wsConnectionId"] == "old="
    assert store.clear_connection_id(SID, "old=") is not None
    assert raw_item()["wsConnectionId"] == {"NULL": True}
