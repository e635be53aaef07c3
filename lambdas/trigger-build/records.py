"""DynamoDB Streams records of the builds table → builds, and what Step Functions gets from them.

Pure functions, no AWS calls: what can be decided from the record alone is decided here, so it can
be property-tested without moto.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

PENDING = "PENDING"
IN_PROGRESS = "IN_PROGRESS"
FAILED = "FAILED"

# DynamoDB allows 1024 bytes for a sort key; no build field has a reason to be longer, and the cap
# keeps the execution input far below Step Functions' 256 KiB limit whatever the record holds.
MAX_FIELD_CHARS = 1024
EXECUTION_NAME_MAX = 80
_DIGEST_CHARS = 16

# Step Functions names refuse whitespace, brackets, wildcards, most punctuation and control
# characters, and non-ASCII names break CloudWatch logging: keep a conservative ASCII subset.
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SEQUENCE_NUMBER = re.compile(r"[0-9]{1,40}")

_deserializer = TypeDeserializer()


class InvalidRecord(ValueError):
    """The stream record does not describe a usable build; retrying cannot change that."""


@dataclass(frozen=True)
class Build:
    pk: str
    sk: str
    repo: str
    env: str
    branch: str
    version: str
    commit_hash: str
    template_name: str
    base_repo: str
    status: str | None

    @property
    def key(self) -> tuple[str, str]:
        return self.pk, self.sk

    def metadata(self) -> dict[str, str]:
        """What identifies the build to a person: its key and where it comes from."""
        return {
            "pk": self.pk,
            "sk": self.sk,
            "repo": self.repo,
            "env": self.env,
            "branch": self.branch,
            "version": self.version,
        }


def event_name(record: Any) -> str | None:
    name = record.get("eventName") if isinstance(record, dict) else None
    return name if isinstance(name, str) else None


def sequence_number(record: Any) -> str | None:
    """The record's SequenceNumber when it has a real one: it is the batch item identifier."""
    change = record.get("dynamodb") if isinstance(record, dict) else None
    value = change.get("SequenceNumber") if isinstance(change, dict) else None
    if isinstance(value, str) and _SEQUENCE_NUMBER.fullmatch(value):
        return value
    return None


def record_key(record: Any) -> tuple[str, str] | None:
    """The build's (pk, sk), from `Keys` or else `NewImage`, even when the rest is unusable."""
    change = record.get("dynamodb") if isinstance(record, dict) else None
    if not isinstance(change, dict):
        return None
    for image_name in ("Keys", "NewImage"):
        try:
            image = _deserialize(change.get(image_name), image_name)
            return _text(image, "pk"), _text(image, "sk")
        except InvalidRecord:
            continue
    return None


def parse_build(record: Any) -> Build:
    """The build described by an INSERT record's NewImage; raises InvalidRecord."""
    change = record.get("dynamodb") if isinstance(record, dict) else None
    if not isinstance(change, dict):
        raise InvalidRecord("record has no dynamodb change")
    item = _deserialize(change.get("NewImage"), "NewImage")
    repo = _text(item, "repo")
    # The builds DAO writes commit_hash; older writers (and the seed's wording) use commitHash.
    commit_field = "commit_hash" if "commit_hash" in item else "commitHash"
    status = item.get("status")
    return Build(
        pk=_text(item, "pk"),
        sk=_text(item, "sk"),
        repo=repo,
        env=_text(item, "env"),
        branch=_text(item, "branch"),
        version=_text(item, "version"),
        commit_hash=_text(item, commit_field, required=False),
        template_name=_text(item, "template_name", required=False),
        base_repo=_text(item, "base_repo", required=False) or repo,
        status=status if isinstance(status, str) else None,
    )


def execution_name(build: Build, sequence: str) -> str:
    """A valid Step Functions execution name, the same for every delivery of one stream record.

    Readable part `{repo}-{env}-{sk}` (sanitised, truncated) plus a digest of the build key and
    the record's sequence number: sanitising and truncating can make two builds look alike, the
    digest cannot, and a build deleted and inserted again (a new record) gets a new execution.
    """
    identity = json.dumps([build.pk, build.sk, sequence]).encode()
    digest = hashlib.sha256(identity).hexdigest()[:_DIGEST_CHARS]
    readable = _NAME_UNSAFE.sub("-", f"{build.repo}-{build.env}-{build.sk}").strip("-.")
    readable = readable[: EXECUTION_NAME_MAX - _DIGEST_CHARS - 1].rstrip("-.")
    return f"{readable}-{digest}" if readable else digest


def execution_input(build: Build, bucket: str) -> str:
    """The state machine input; canonical JSON so a retried start is byte-identical (idempotent)."""
    payload = {
        **build.metadata(),
        "commit_hash": build.commit_hash,
        "template_name": build.template_name,
        "base_repo": build.base_repo,
        "s3_bucket": bucket,
        "s3_key": f"{build.base_repo}/{build.branch}/{build.version}",
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def execution_arn(state_machine_arn: str, name: str) -> str:
    """The ARN Step Functions gives execution `name` of this state machine (standard workflows)."""
    parts = state_machine_arn.split(":")
    if len(parts) < 7 or parts[2] != "states" or parts[5] != "stateMachine":
        raise ValueError(f"not a state machine ARN: {state_machine_arn[:200]!r}")
    return ":".join([*parts[:5], "execution", parts[6], name])


def _deserialize(image: Any, label: str) -> dict[str, Any]:
    if not isinstance(image, dict) or not image:
        raise InvalidRecord(f"record has no {label}")
    try:
        return {name: _deserializer.deserialize(value) for name, value in image.items()}
    # TypeDeserializer reports malformed attribute values with whatever the bad value raises
    # (TypeError, AttributeError, decimal signals, RecursionError for absurd nesting).
    except Exception as err:
        raise InvalidRecord(f"{label} is not in DynamoDB attribute-value form") from err


def _text(item: dict[str, Any], field: str, *, required: bool = True) -> str:
    value = item.get(field)
    if value is None:
        if required:
            raise InvalidRecord(f"{field} is required")
        return ""
    if not isinstance(value, str):
        raise InvalidRecord(f"{field} must be a string")
    if required and not value.strip():
        raise InvalidRecord(f"{field} must not be empty")
    if len(value) > MAX_FIELD_CHARS:
        raise InvalidRecord(f"{field} is longer than {MAX_FIELD_CHARS} characters")
    if _CONTROL.search(value):
        raise InvalidRecord(f"{field} contains control characters")
    return value
