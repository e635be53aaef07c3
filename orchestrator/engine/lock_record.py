"""The environment lock's record: who holds it (a run, and the processes of it that are in),
until when, and the pure changes the lock policy makes to it. Stored as JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from orchestrator.errors import OrchestratorError

FORMAT = 1


class Scope(StrEnum):
    RUN = "run"  # named by FIREFLY_RUN_ID or GITHUB_RUN_ID: shared by the run's jobs
    PROCESS = "process"  # a fresh id: one command on one machine


@dataclass(frozen=True)
class RunIdentity:
    """The run a lock belongs to, and how to tell a person who it is."""

    run_id: str
    scope: Scope
    holder: str  # a user name, or the GitHub actor
    url: str = ""  # the GitHub Actions run, when there is one


@dataclass(frozen=True)
class Member:
    """One process of the run that is in the lock, renewing it."""

    member_id: str
    host: str
    pid: int
    command: str
    started_at: datetime
    renewed_at: datetime


@dataclass(frozen=True)
class LockRecord:
    environment: str
    run: RunIdentity
    since: datetime  # when the run took the lock
    renewed_at: datetime  # the last write by any member
    expires_at: datetime  # free for another run from then on
    members: Mapping[str, Member] = field(default_factory=dict)

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def latest_member(self) -> Member | None:
        return max(self.members.values(), key=lambda m: m.started_at, default=None)


def fresh_record(environment: str, run: RunIdentity, member: Member, ttl: timedelta) -> LockRecord:
    now = member.renewed_at
    return LockRecord(environment, run, now, now, now + ttl, {member.member_id: member})


def with_member(record: LockRecord, member: Member, ttl: timedelta) -> LockRecord:
    """The record with `member` in it (joined, or renewed), stale members dropped."""
    now = member.renewed_at
    kept = _live_members(record, now, ttl)
    kept[member.member_id] = member
    return replace(record, renewed_at=now, expires_at=now + ttl, members=kept)


def without_member(
    record: LockRecord, member_id: str, now: datetime, ttl: timedelta, linger: timedelta
) -> LockRecord | None:
    """The record once `member_id` left: kept for the members still in; when none is, a
    run-scoped lock lingers for the run's next job, a process-scoped one is gone (None)."""
    kept = _live_members(record, now, ttl)
    kept.pop(member_id, None)
    if kept:
        return replace(record, members=kept)
    if record.run.scope is Scope.PROCESS:
        return None
    return replace(record, renewed_at=now, expires_at=now + linger, members={})


def _live_members(record: LockRecord, now: datetime, ttl: timedelta) -> dict[str, Member]:
    """Members that renewed within the TTL: one that stopped (killed, its machine gone) no
    longer keeps the run's lock once the others leave."""
    return {key: m for key, m in record.members.items() if now < m.renewed_at + ttl}


def describe_holder(record: LockRecord, now: datetime) -> str:
    """Who holds it, in words: 'run R of alice (URL), firefly deploy --env dev on host h (pid
    7), since 12:00:00Z, renewed 5 s ago'."""
    run = record.run
    who = f"run {run.run_id} of {run.holder}" if run.scope is Scope.RUN else run.holder
    parts = [f"{who} ({run.url})" if run.url else who]
    member = record.latest_member()
    if member is not None:
        parts.append(f"'{member.command}' on host {member.host} (pid {member.pid})")
    else:
        parts.append(f"between two jobs until {timestamp(record.expires_at)}")
    parts.append(f"since {timestamp(record.since)}")
    ago = max(0, int((now - record.renewed_at).total_seconds()))
    parts.append(f"last renewed {ago} s ago")
    return ", ".join(parts)


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def encode(record: LockRecord) -> str:
    members = {
        key: {
            "host": m.host,
            "pid": m.pid,
            "command": m.command,
            "started_at": _iso(m.started_at),
            "renewed_at": _iso(m.renewed_at),
        }
        for key, m in record.members.items()
    }
    document = {
        "format": FORMAT,
        "environment": record.environment,
        "run": {
            "id": record.run.run_id,
            "scope": record.run.scope.value,
            "holder": record.run.holder,
            "url": record.run.url,
        },
        "since": _iso(record.since),
        "renewed_at": _iso(record.renewed_at),
        "expires_at": _iso(record.expires_at),
        "members": members,
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def decode(text: str, location: str, environment: str) -> LockRecord:
    """The record in `text`; OrchestratorError, naming `location`, when it is not one."""
    try:
        document = json.loads(text)
        if document.get("format") != FORMAT:
            raise ValueError(f"format {document.get('format')!r}, expected {FORMAT}")
        run = document["run"]
        identity = RunIdentity(run["id"], Scope(run["scope"]), run["holder"], run.get("url", ""))
        members = {key: _member(key, value) for key, value in document["members"].items()}
        return LockRecord(
            document["environment"],
            identity,
            _moment(document["since"]),
            _moment(document["renewed_at"]),
            _moment(document["expires_at"]),
            members,
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise OrchestratorError(
            f"{location} is not a lock record firefly can read ({type(error).__name__}: "
            f"{error}); if no run holds {environment}, remove it with "
            f"'firefly unlock --env {environment}'"
        ) from None


def _member(key: str, value: Mapping[str, Any]) -> Member:
    return Member(
        key,
        str(value["host"]),
        int(value["pid"]),
        str(value["command"]),
        _moment(value["started_at"]),
        _moment(value["renewed_at"]),
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text}: a time without its zone")
    return moment
