"""Breaking a lock and reading it: this run's goes without a question, another run's only once
confirmed (or never, for a workflow's last job), and a record nobody can read can still go."""

from __future__ import annotations

import pytest

from orchestrator.engine.lock_record import RunIdentity, Scope
from orchestrator.engine.unlock import Unlocked, lock_status, unlock
from orchestrator.errors import OrchestratorError
from tests.engine.fakes import FakeLockStore
from tests.engine.test_lock import ALICE, BOB, RUN_7, TTL, held


def never_asked(holder: str) -> None:
    pytest.fail(f"asked to confirm breaking the lock of {holder}")


def test_nothing_to_unlock() -> None:
    assert unlock(FakeLockStore(), "dev", ALICE, never_asked).outcome is Unlocked.NOT_LOCKED


def test_a_runs_own_lock_goes_without_asking() -> None:
    store = FakeLockStore()
    held(store, RUN_7).release()  # the last job left: lingering
    final_job = RunIdentity("7-1", Scope.RUN, "octocat")

    result = unlock(store, "dev", final_job, never_asked, own_run_only=True)

    assert result.outcome is Unlocked.OWN_RUN
    assert store.stored is None


def test_another_runs_lock_goes_once_confirmed() -> None:
    store = FakeLockStore()
    held(store, ALICE, host="dead-laptop")
    asked: list[str] = []

    result = unlock(store, "dev", BOB, asked.append)

    assert result.outcome is Unlocked.BROKEN
    assert asked == [result.holder]
    assert result.holder.startswith("alice, 'firefly deploy --env dev # on dead-laptop'")
    assert store.stored is None


def test_a_refused_confirmation_keeps_the_lock() -> None:
    store = FakeLockStore()
    held(store, ALICE)
    before = store.stored

    def refuse(holder: str) -> None:
        raise OrchestratorError("kept")

    with pytest.raises(OrchestratorError, match="kept"):
        unlock(store, "dev", BOB, refuse)
    assert store.stored == before


def test_own_run_only_leaves_another_runs_lock() -> None:
    store = FakeLockStore()
    held(store, RUN_7)
    before = store.stored
    other_run = RunIdentity("8-1", Scope.RUN, "hubot")

    result = unlock(store, "dev", other_run, never_asked, own_run_only=True)

    assert result.outcome is Unlocked.LEFT
    assert store.stored == before


def test_a_renewal_while_asking_needs_no_second_confirmation() -> None:
    store = FakeLockStore()
    holder = held(store, ALICE)
    asked: list[str] = []
    store.races.append(lambda s: holder.renew())  # lands between the question and the delete

    result = unlock(store, "dev", BOB, asked.append)

    assert result.outcome is Unlocked.BROKEN
    assert len(asked) == 1
    assert store.stored is None


def test_an_unreadable_record_can_be_removed() -> None:
    store = FakeLockStore()
    store.put("garbage")
    asked: list[str] = []

    result = unlock(store, "dev", BOB, asked.append)

    assert asked == ["an unreadable record at memory://locks/dev.json"]
    assert result.outcome is Unlocked.BROKEN and store.stored is None


def test_status_names_the_holder_or_says_unlocked() -> None:
    store = FakeLockStore()
    assert lock_status(store, "dev") == "environment dev is unlocked"
    held(store, ALICE, host="laptop")
    store.advance(5)

    assert lock_status(store, "dev") == (
        "environment dev is locked by alice, 'firefly deploy --env dev # on laptop' on host "
        "laptop (pid 100), since 2026-01-01T12:00:00Z, last renewed 5 s ago"
    )
    store.advance(TTL.total_seconds())
    assert lock_status(store, "dev").startswith("environment dev is unlocked: the lock of alice, ")
