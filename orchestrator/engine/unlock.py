"""`firefly unlock` and `firefly status`'s view of the environment lock: read it, or break it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from orchestrator.engine.lock import read_record
from orchestrator.engine.lock_record import (
    LockRecord,
    RunIdentity,
    decode,
    describe_holder,
    timestamp,
)
from orchestrator.engine.ports import LockConflict, LockStore
from orchestrator.errors import OrchestratorError

ATTEMPTS = 5  # the record changed under a confirmed unlock this often: give up and say so


class Unlocked(StrEnum):
    NOT_LOCKED = "not locked"
    OWN_RUN = "released this run's lock"
    BROKEN = "broke another run's lock"
    LEFT = "left another run's lock"


@dataclass(frozen=True)
class UnlockResult:
    outcome: Unlocked
    holder: str = ""  # the holder, in words, when there was one


def lock_status(store: LockStore, environment: str) -> str:
    """One line: who holds the environment, since when, renewed when; or that nobody does."""
    record, _ = read_record(store, environment)
    now = store.now()
    if record is None:
        return f"environment {environment} is unlocked"
    if record.expired(now):
        return (
            f"environment {environment} is unlocked: the lock of {describe_holder(record, now)} "
            f"expired at {timestamp(record.expires_at)}"
        )
    return f"environment {environment} is locked by {describe_holder(record, now)}"


def unlock(
    store: LockStore,
    environment: str,
    run: RunIdentity,
    confirm: Callable[[str], None],
    *,
    own_run_only: bool = False,
) -> UnlockResult:
    """Delete the environment's lock record: this run's at once; another run's only once
    `confirm(holder)` returns (it raises to refuse), or never with `own_run_only`."""
    confirmed: str | None = None
    for _ in range(ATTEMPTS):
        holder, record, etag = _current(store, environment)
        if not etag:
            return UnlockResult(Unlocked.NOT_LOCKED)
        ours = record is not None and record.run.run_id == run.run_id
        if not ours and own_run_only:
            return UnlockResult(Unlocked.LEFT, holder)
        run_id = record.run.run_id if record is not None else ""
        if not ours and confirmed != run_id:
            confirm(holder)
            confirmed = run_id  # a renewal by the same run while asking needs no second yes
        try:
            store.delete(etag)
        except LockConflict:
            continue
        return UnlockResult(Unlocked.OWN_RUN if ours else Unlocked.BROKEN, holder)
    raise OrchestratorError(
        f"the lock of environment {environment} kept changing while firefly removed it; try again"
    )


def _current(store: LockStore, environment: str) -> tuple[str, LockRecord | None, str]:
    """(the holder in words, the record, its version); a record firefly cannot read can still
    be removed, so it is described rather than refused."""
    stored = store.read()
    if stored is None:
        return "", None, ""
    try:
        record = decode(stored.text, store.location, environment)
    except OrchestratorError:
        return f"an unreadable record at {store.location}", None, stored.etag
    return describe_holder(record, store.now()), record, stored.etag
