"""Seed 001 and its functions: one-time registration keys, consumed by a device registration."""

from __future__ import annotations

from typing import Any

from orchestrator.aws.integration.api import ApiRequest
from orchestrator.aws.integration.support import (
    CheckContext,
    expect,
    expect_status,
    json_object,
)

# A listing holds every live key of the table; pages are bounded so a table full of other keys
# cannot keep the check paging for ever.
MAX_PAGES = 50
PAGE_SIZE = "100"


def _create_key(ctx: CheckContext) -> str:
    """A new key through POST /registration-keys; deleted at the end if still unused."""
    response = ctx.api.call(ApiRequest("POST /registration-keys"))
    expect_status(response, 201, "POST /registration-keys")
    key = json_object(response.body, "POST /registration-keys").get("registration_key")
    expect(
        isinstance(key, str) and len(key) == 43,
        f"POST /registration-keys returned registration_key {key!r}",
    )
    table = ctx.deployment.output("dynamodb-registration-keys", "TableName")
    dynamodb = ctx.deployment.client("dynamodb")
    ctx.defer(
        "delete the registration key",
        lambda: dynamodb.delete_item(TableName=table, Key={"registration_key": {"S": key}}),
    )
    return str(key)


def _listed_keys(ctx: CheckContext) -> set[str]:
    """Every key GET /registration-keys lists, page after page."""
    keys: set[str] = set()
    token: str | None = None
    for _ in range(MAX_PAGES):
        query = {"limit": PAGE_SIZE, **({"next_token": token} if token else {})}
        response = ctx.api.call(ApiRequest("GET /registration-keys", query=query))
        expect_status(response, 200, "GET /registration-keys")
        page = json_object(response.body, "GET /registration-keys")
        keys |= {item.get("registration_key") for item in page.get("registration_keys", [])}
        token = page.get("next_token")
        if not token:
            break
    return keys


def _register(ctx: CheckContext, key: str, device_id: str) -> int:
    table = ctx.deployment.output("dynamodb-devices", "TableName")
    dynamodb = ctx.deployment.client("dynamodb")
    ctx.defer(
        "delete the device",
        lambda: dynamodb.delete_item(TableName=table, Key={"device_id": {"S": device_id}}),
    )
    response = ctx.api.call(
        ApiRequest("POST /devices/register", body={"registration_key": key, "device_id": device_id})
    )
    return response.status


def _device(ctx: CheckContext, device_id: str) -> dict[str, Any]:
    table = ctx.deployment.output("dynamodb-devices", "TableName")
    item: dict[str, Any] = (
        ctx.deployment.client("dynamodb")
        .get_item(TableName=table, Key={"device_id": {"S": device_id}}, ConsistentRead=True)
        .get("Item", {})
    )
    return item


def registration_key_created_and_listed(ctx: CheckContext) -> None:
    """POST /registration-keys makes a key that GET /registration-keys lists."""
    key = _create_key(ctx)
    expect(key in _listed_keys(ctx), "the new registration key is not listed")


def registration_key_registers_one_device(ctx: CheckContext) -> None:
    """A key registers one device (in the devices table); its second use is refused (403)."""
    key = _create_key(ctx)
    first, second = ctx.unique("device-1"), ctx.unique("device-2")
    status = _register(ctx, key, first)
    expect(status == 201, f"POST /devices/register with a fresh key: expected 201, got {status}")
    registered_by = _device(ctx, first).get("registered_by", {}).get("S")
    expect(
        registered_by == ctx.api.subject,
        f"devices table: {first} registered_by {registered_by!r}, expected the caller",
    )
    status = _register(ctx, key, second)
    expect(status == 403, f"second use of a registration key: expected 403, got {status}")
    expect(not _device(ctx, second), f"{second} was registered with a used key")


CHECKS = (registration_key_created_and_listed, registration_key_registers_one_device)
