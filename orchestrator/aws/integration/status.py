"""Seed 002: the Status Lambda, invoked directly (as `aws lambda invoke` does), never via HTTP."""

from __future__ import annotations

import json
from typing import Any

from orchestrator.aws.integration.support import CheckContext, expect, json_object

WORKFLOW = "func-status"
OWNER = "integration-owner"


def _seed(ctx: CheckContext, label: str) -> dict[str, Any]:
    """An AssemblyStatus item of this run owned by OWNER; deleted at the end."""
    assembly = {
        "assembly_id": ctx.unique(label),
        "ok": "ASSEMBLY_COMPLETED",
        "message": "Processing completed",
        "user": {"userId": OWNER},
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:05Z",
    }
    table = ctx.deployment.output("dynamodb-assemblies", "TableName")
    dynamodb = ctx.deployment.client("dynamodb")
    dynamodb.put_item(
        TableName=table,
        Item={
            "assembly_id": {"S": assembly["assembly_id"]},
            "ok": {"S": assembly["ok"]},
            "message": {"S": assembly["message"]},
            "user": {"M": {"userId": {"S": OWNER}}},
            "created_at": {"S": assembly["created_at"]},
            "updated_at": {"S": assembly["updated_at"]},
        },
    )
    ctx.defer(
        "delete the assembly",
        lambda: dynamodb.delete_item(
            TableName=table, Key={"assembly_id": {"S": assembly["assembly_id"]}}
        ),
    )
    return assembly


def _lookup(ctx: CheckContext, assembly_id: str, user_id: str) -> tuple[int, Any]:
    result = json_object(
        ctx.deployment.invoke(WORKFLOW, {"assemblyId": assembly_id, "userId": user_id}),
        "status response",
    )
    status, body = result.get("statusCode"), result.get("body")
    try:
        return int(status or 0), json.loads(body) if isinstance(body, str) else body
    except ValueError:
        return int(status or 0), body


def status_lookup_returns_assembly(ctx: CheckContext) -> None:
    """The owner gets 200 and the AssemblyStatus exactly as stored."""
    assembly = _seed(ctx, "assembly-owned")
    status, body = _lookup(ctx, assembly["assembly_id"], OWNER)
    expect(status == 200, f"lookup by the owner: expected 200, got {status} {body!r:.200}")
    expect(body == assembly, f"lookup by the owner returned {body!r:.300}")


def status_other_owner_is_403(ctx: CheckContext) -> None:
    """Another user gets 403 and none of the assembly."""
    assembly = _seed(ctx, "assembly-foreign")
    status, body = _lookup(ctx, assembly["assembly_id"], "someone-else")
    expect(status == 403, f"lookup by another user: expected 403, got {status} {body!r:.200}")
    expect("assembly_id" not in json_object(body, "403 body"), "the 403 body leaks the assembly")


def status_unknown_assembly_is_404(ctx: CheckContext) -> None:
    status, body = _lookup(ctx, ctx.unique("assembly-missing"), OWNER)
    expect(
        status == 404, f"lookup of an unknown assembly: expected 404, got {status} {body!r:.200}"
    )


CHECKS = (status_lookup_returns_assembly, status_other_owner_is_403, status_unknown_assembly_is_404)
