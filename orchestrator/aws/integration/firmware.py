"""Seed 000: the firmware release state machine behind PATCH /firmware/{zip_name}/status."""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass

from botocore.exceptions import ClientError

from orchestrator.aws.errors import is_not_found
from orchestrator.aws.integration.api import ApiRequest, ApiResponse
from orchestrator.aws.integration.support import (
    CheckContext,
    CheckFailure,
    delete_every_version,
    describe,
    expect,
    expect_status,
    json_object,
)

ROUTE = "PATCH /firmware/{zip_name}/status"
REVOKED_PREFIX = "revoked/"


@dataclass(frozen=True)
class Firmware:
    """One firmware of this run: its table item and its binary."""

    table: str
    private_bucket: str
    public_bucket: str
    zip_name: str
    binary: bytes

    @property
    def digest(self) -> str:
        return hashlib.md5(self.binary, usedforsecurity=False).hexdigest()


def _seed(ctx: CheckContext, label: str, status: str, *, binary: bool = False) -> Firmware:
    """A firmware item in `status` (with its binary in the private bucket when `binary`),
    undone at the end."""
    deployment = ctx.deployment
    firmware = Firmware(
        table=deployment.output("dynamodb-firmware", "TableName"),
        private_bucket=deployment.bucket("s3-firmware", "FirmwarePrivateBucketArn"),
        public_bucket=deployment.bucket("s3-firmware", "FirmwarePublicBucketArn"),
        zip_name=ctx.unique(label) + ".zip",
        binary=f"firmware {ctx.unique(label)}".encode(),
    )
    s3, dynamodb = deployment.client("s3"), deployment.client("dynamodb")
    if binary:
        try:
            s3.put_object(
                Bucket=firmware.private_bucket, Key=firmware.zip_name, Body=firmware.binary
            )
        except ClientError as error:
            raise CheckFailure(
                f"cannot put the test binary into s3://{firmware.private_bucket}"
                f" ({describe(error)})"
            ) from error
        ctx.defer(
            "delete the private binary",
            lambda: delete_every_version(s3, firmware.private_bucket, firmware.zip_name),
        )
    dynamodb.put_item(
        TableName=firmware.table,
        Item={"zip_name": {"S": firmware.zip_name}, "status": {"S": status}},
    )
    ctx.defer(
        "delete the firmware item",
        lambda: dynamodb.delete_item(
            TableName=firmware.table, Key={"zip_name": {"S": firmware.zip_name}}
        ),
    )
    for key in (firmware.zip_name, REVOKED_PREFIX + firmware.zip_name):
        ctx.defer(
            "delete a public object",
            functools.partial(delete_every_version, s3, firmware.public_bucket, key),
        )
    return firmware


def _patch(ctx: CheckContext, firmware: Firmware, status: str) -> ApiResponse:
    return ctx.api.call(ApiRequest(ROUTE, {"zip_name": firmware.zip_name}, body={"status": status}))


def _etag(ctx: CheckContext, bucket: str, key: str) -> str | None:
    """The object's ETag, or None when it does not exist.

    HEAD rather than GET: revoked/ objects are readable only inside the account (the bucket
    policy), and for single-part SSE-S3 objects the ETag is the MD5 of the content anyway.
    """
    try:
        head = ctx.deployment.client("s3").head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if is_not_found(error):
            return None
        raise
    return str(head["ETag"]).strip('"')


def _item(ctx: CheckContext, firmware: Firmware) -> dict[str, dict[str, str]]:
    item: dict[str, dict[str, str]] = (
        ctx.deployment.client("dynamodb")
        .get_item(
            TableName=firmware.table,
            Key={"zip_name": {"S": firmware.zip_name}},
            ConsistentRead=True,
        )
        .get("Item", {})
    )
    return item


def _step(ctx: CheckContext, firmware: Firmware, status: str) -> None:
    response = _patch(ctx, firmware, status)
    expect_status(response, 200, f"PATCH {firmware.zip_name} to {status}")
    answered = json_object(response.body, f"PATCH to {status}").get("status")
    expect(answered == status, f"PATCH to {status} answered status {answered!r}")


def _check_released(ctx: CheckContext, firmware: Firmware) -> None:
    public = _etag(ctx, firmware.public_bucket, firmware.zip_name)
    expect(
        public == firmware.digest,
        f"RELEASED: s3://{firmware.public_bucket}/{firmware.zip_name} "
        f"{'is missing' if public is None else 'differs from the private binary'}",
    )


def _check_revoked(ctx: CheckContext, firmware: Firmware) -> None:
    bucket, name = firmware.public_bucket, firmware.zip_name
    expect(_etag(ctx, bucket, name) is None, f"REVOKED: s3://{bucket}/{name} is still public")
    moved = _etag(ctx, bucket, REVOKED_PREFIX + name)
    expect(
        moved == firmware.digest,
        f"REVOKED: s3://{bucket}/{REVOKED_PREFIX}{name} "
        f"{'is missing' if moved is None else 'differs from the released binary'}",
    )
    ttl = _item(ctx, firmware).get("ttl", {}).get("N")
    expect(
        ttl is not None and int(ttl) > time.time(),
        f"REVOKED: the item's ttl is {ttl!r}, expected a future epoch time",
    )


def firmware_release_flow(ctx: CheckContext) -> None:
    """READY_TO_TEST → TESTING → RELEASED (public copy) → REVOKED (moved, TTL set)."""
    firmware = _seed(ctx, "release", "READY_TO_TEST", binary=True)
    _step(ctx, firmware, "TESTING")
    _step(ctx, firmware, "RELEASED")
    _check_released(ctx, firmware)
    _step(ctx, firmware, "REVOKED")
    _check_revoked(ctx, firmware)


def firmware_illegal_transition_is_409(ctx: CheckContext) -> None:
    """READY_TO_TEST cannot jump to RELEASED: 409, the item and the public bucket untouched."""
    firmware = _seed(ctx, "illegal", "READY_TO_TEST")
    response = _patch(ctx, firmware, "RELEASED")
    expect_status(response, 409, "PATCH READY_TO_TEST to RELEASED")
    current = json_object(response.body, "409 body").get("current_status")
    expect(current == "READY_TO_TEST", f"409 body names current_status {current!r}")
    status = _item(ctx, firmware).get("status", {}).get("S")
    expect(status == "READY_TO_TEST", f"after the refused PATCH the item is {status!r}")
    if _etag(ctx, firmware.public_bucket, firmware.zip_name) is not None:
        raise CheckFailure("a refused RELEASED left a public copy")


def firmware_patch_requires_jwt(ctx: CheckContext) -> None:
    """Without a validated JWT the route answers 401 and changes nothing."""
    firmware = _seed(ctx, "anonymous", "READY_TO_TEST")
    response = ctx.api.call(
        ApiRequest(
            ROUTE, {"zip_name": firmware.zip_name}, body={"status": "TESTING"}, with_token=False
        )
    )
    expect_status(response, 401, "PATCH without a token")
    status = _item(ctx, firmware).get("status", {}).get("S")
    expect(status == "READY_TO_TEST", f"after the anonymous PATCH the item is {status!r}")


CHECKS = (firmware_release_flow, firmware_illegal_transition_is_409, firmware_patch_requires_jwt)
