"""Lookup by assemblyId: the AssemblyStatus for its owner, 403/404/400/500 otherwise, and the
function's configuration."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.lambdas.status.helpers import (
    ASSEMBLY,
    ASSEMBLY_ID,
    ASSEMBLY_JSON,
    HEADERS,
    TABLE,
    WEBHOOK,
    Receiver,
    body,
    create_assemblies_table,
    invoke,
    put_assembly,
    webhook_headers,
)
from tests.lambdas.support import LAMBDAS, log_lines

# --- lookup, ownership, status codes ----------------------------------------------------------


def test_the_owner_gets_the_full_assembly_status(
    app: ModuleType, dynamodb: Any, event: Callable[[str], dict[str, Any]]
) -> None:
    response = invoke(app, event("status_get"))

    assert response["statusCode"] == 200
    assert body(response) == ASSEMBLY_JSON
    assert response["headers"] == HEADERS
    # Without userId there is no ownership check: the caller authenticated the user.
    anonymous = invoke(app, {"assemblyId": ASSEMBLY_ID, "userId": None, "triggerWebhook": None})
    assert (anonymous["statusCode"], body(anonymous)) == (200, ASSEMBLY_JSON)

    # Every stored attribute comes back, as JSON.
    put_assembly(
        dynamodb,
        {
            "assembly_id": "a-1",
            "count": 3,
            "ratio": Decimal("0.25"),
            "big": Decimal("12345678901234567890"),
            "flags": {"x", "y"},
            "sizes": {Decimal(3), Decimal(1)},
            "blob": b"\x00\x01",
            "nothing": None,
            "nested": {"list": [True, Decimal("1.5"), {"deep": "v"}]},
        },
    )
    assert body(invoke(app, {"assemblyId": "a-1"})) == {
        "assembly_id": "a-1",
        "count": 3,
        "ratio": 0.25,
        "big": 12345678901234567890,
        "flags": ["x", "y"],
        "sizes": [1, 3],
        "blob": "AAE=",
        "nothing": None,
        "nested": {"list": [True, 1.5, {"deep": "v"}]},
    }


def test_another_user_is_forbidden_and_an_unknown_assembly_not_found(
    app: ModuleType, dynamodb: Any
) -> None:
    put_assembly(dynamodb, {**ASSEMBLY, "assembly_id": "no-owner", "user": None})
    put_assembly(dynamodb, {**ASSEMBLY, "assembly_id": "odd-owner", "user": "user_456"})
    for assembly_id, user_id in [
        (ASSEMBLY_ID, "user_789"),
        (ASSEMBLY_ID, "USER_456"),
        (ASSEMBLY_ID, "user_456 "),
        ("no-owner", "user_456"),
        ("odd-owner", "user_456"),
    ]:
        response = invoke(app, {"assemblyId": assembly_id, "userId": user_id})

        assert response["statusCode"] == 403, (assembly_id, user_id)
        assert body(response) == {"error": "Access denied: You don't own this assembly"}
        assert response["headers"] == HEADERS

    # Unknown is 404 whoever asks.
    for user_id in ("user_456", None):
        response = invoke(app, {"assemblyId": "0" * 64, "userId": user_id})

        assert response["statusCode"] == 404
        assert body(response) == {"error": "Assembly not found", "assembly_id": "0" * 64}
        assert response["headers"] == HEADERS


BAD_REQUESTS: list[tuple[Any, str]] = [
    (None, "Event must be a JSON object"),
    ([ASSEMBLY_ID], "Event must be a JSON object"),
    (ASSEMBLY_ID, "Event must be a JSON object"),
    (42, "Event must be a JSON object"),
    ({}, "assemblyId is required"),
    ({"assemblyId": None}, "assemblyId is required"),
    ({"assemblyId": ""}, "assemblyId is required"),
    ({"assembly_id": ASSEMBLY_ID}, "assemblyId is required"),
    ({"assemblyId": 123}, "assemblyId must be a string"),
    ({"assemblyId": True}, "assemblyId must be a string"),
    ({"assemblyId": [ASSEMBLY_ID]}, "assemblyId must be a string"),
    ({"assemblyId": {"S": ASSEMBLY_ID}}, "assemblyId must be a string"),
    ({"assemblyId": " "}, "assemblyId is invalid"),
    ({"assemblyId": ASSEMBLY_ID + "\n"}, "assemblyId is invalid"),
    ({"assemblyId": "a" * 129}, "assemblyId is invalid"),
    ({"assemblyId": "x" * 1_000_000}, "assemblyId is invalid"),
    ({"assemblyId": "../../etc/passwd"}, "assemblyId is invalid"),
    ({"assemblyId": "a' OR '1'='1"}, "assemblyId is invalid"),
    ({"assemblyId": "ässembly"}, "assemblyId is invalid"),
    ({"assemblyId": ASSEMBLY_ID, "userId": ""}, "userId must be a non-empty string"),
    ({"assemblyId": ASSEMBLY_ID, "userId": 456}, "userId must be a non-empty string"),
    ({"assemblyId": ASSEMBLY_ID, "userId": ["user_456"]}, "userId must be a non-empty string"),
    ({"assemblyId": ASSEMBLY_ID, "userId": "u\x00"}, "userId must be a non-empty string"),
    ({"assemblyId": ASSEMBLY_ID, "userId": "u" * 257}, "userId must be a non-empty string"),
    ({"assemblyId": ASSEMBLY_ID, "triggerWebhook": "true"}, "triggerWebhook must be a boolean"),
    ({"assemblyId": ASSEMBLY_ID, "triggerWebhook": 1}, "triggerWebhook must be a boolean"),
    ({"assemblyId": ASSEMBLY_ID, "triggerWebhook": {}}, "triggerWebhook must be a boolean"),
]


def test_client_mistakes_are_400s_never_500s(app: ModuleType, receiver: Receiver) -> None:
    for request, message in BAD_REQUESTS:
        response = invoke(app, request)

        assert response["statusCode"] == 400, request if len(str(request)) < 200 else message
        assert body(response) == {"error": message}
        assert response["headers"] == HEADERS
    assert receiver.received == []


def test_a_dynamodb_failure_is_a_generic_500_with_details_in_the_log(
    app: ModuleType, dynamodb: Any, capsys: Any
) -> None:
    dynamodb.delete_table(TableName=TABLE)

    response = invoke(app, {"assemblyId": ASSEMBLY_ID})

    assert response["statusCode"] == 500
    assert body(response) == {"error": "Failed to fetch assembly status"}
    assert response["headers"] == HEADERS
    (line,) = log_lines(capsys)
    assert line["message"] == "Status lookup error"
    assert line["level"] == "ERROR"
    assert "ResourceNotFoundException" in line["traceback"]
    assert line["project"] == "firefly"


def test_a_missing_table_setting_is_a_500_naming_the_variable_in_the_log(
    configure: None,
    monkeypatch: pytest.MonkeyPatch,
    load_function: Callable[..., ModuleType],
    capsys: Any,
) -> None:
    monkeypatch.delenv("DYNAMODB_TABLE")
    app = load_function("status")

    response = invoke(app, {"assemblyId": ASSEMBLY_ID})

    assert response["statusCode"] == 500
    assert body(response) == {"error": "Failed to fetch assembly status"}
    (line,) = log_lines(capsys)
    assert line["message"] == "DYNAMODB_TABLE environment variable is required"


def test_the_region_and_the_templates_index_come_from_the_environment(
    configure: None,
    monkeypatch: pytest.MonkeyPatch,
    load_function: Callable[..., ModuleType],
    capsys: Any,
) -> None:
    # AWS_REGION (set by the runtime) picks the client's region, whatever the default is.
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.delenv("TEMPLATES_INDEX_PATH")
    app = load_function("status")
    assert app.DYNAMODB.meta.region_name == "eu-west-1"

    # Without TEMPLATES_INDEX_PATH, the index shipped beside the handler is used: it names no
    # template yet, so a webhook request finds none (rather than failing to read an index).
    used = Path(app.TEMPLATES_INDEX_PATH)
    assert used == LAMBDAS / "status" / "templates.index.json"
    put_assembly(create_assemblies_table("eu-west-1"), ASSEMBLY)
    response = invoke(app, WEBHOOK)
    assert response["statusCode"] == 200
    assert webhook_headers(response) == {"X-Webhook-Status": "template_not_found"}
    assert {line["project"] for line in log_lines(capsys)} == {"firefly"}
