"""The environment lock's policy over an in-memory store: free, held, expired, joined by the same
run, released by its last member, lingering between jobs, renewed, lost, and raced."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orchestrator.engine.lock import (
    EnvironmentLock,
    Process,
    run_identity,
)
from orchestrator.engine.lock_record import LockRecord, RunIdentity, Scope, decode, encode
from orchestrator.errors import EnvironmentLocked, ExitCode, OrchestratorError
from tests.engine.fakes import FakeLockStore
from tests.waiting import wait_until

TTL = timedelta(minutes=2)
LINGER = timedelta(minutes=15)
ALICE = RunIdentity("a1b2c3", Scope.PROCESS, "alice")
BOB = RunIdentity("d4e5f6", Scope.PROCESS, "bob")
RUN_7 = RunIdentity("7-1", Scope.RUN, "octocat", "https://github.com/o/r/actions/runs/7/attempts/1")
RUN_8 = RunIdentity("8-1", Scope.RUN, "hubot")


def process(name: str, pid: int = 100) -> Process:
    return Process(f"{name}:{pid}:0", name, pid, f"firefly deploy --env dev # on {name}")


def lock_of(
    store: FakeLockStore,
    run: RunIdentity,
    host: str = "laptop",
    pid: int = 100,
    notices: list[str] | None = None,
) -> EnvironmentLock:
    heard = notices if notices is not None else []
    return EnvironmentLock(
        store, "dev", run, process(host, pid), ttl=TTL, linger=LINGER, notice=heard.append
    )


def record(store: FakeLockStore) -> LockRecord | None:
    return decode(store.stored.text, store.location, "dev") if store.stored else None


def held(store: FakeLockStore, run: RunIdentity, host: str = "laptop") -> EnvironmentLock:
    """A lock taken outside a `with` block: nothing renews it but the test."""
    lock = lock_of(store, run, host)
    lock.acquire()
    return lock


def test_a_free_environment_is_taken_for_one_ttl() -> None:
    store = FakeLockStore()

    lock = held(store, ALICE)

    taken = record(store)
    assert taken is not None
    assert taken.run == ALICE and taken.environment == "dev"
    assert list(taken.members) == [lock.process.member_id]
    assert taken.expires_at == store.clock + TTL
    assert store.writes == ["create"]


def test_another_runs_lock_refuses_at_once_naming_the_holder() -> None:
    store = FakeLockStore()
    held(store, RUN_7, host="runner-3")
    store.advance(30)
    before = store.stored

    with pytest.raises(EnvironmentLocked) as refused:
        lock_of(store, BOB).acquire()

    assert refused.value.exit_code == ExitCode.LOCKED == 3
    assert refused.value.lines() == [
        "environment dev is locked by run 7-1 of octocat "
        "(https://github.com/o/r/actions/runs/7/attempts/1), 'firefly deploy --env dev # on "
        "runner-3' on host runner-3 (pid 100), since 2026-01-01T12:00:00Z, last renewed 30 s "
        "ago: wait for that run to end, or if it died, run 'firefly unlock --env dev'"
    ]
    assert store.stored == before


def test_an_expired_lock_is_taken_over_with_a_notice() -> None:
    store = FakeLockStore()
    held(store, ALICE)  # alice's process died: nobody renews
    store.advance(TTL.total_seconds() + 1)
    notices: list[str] = []

    lock_of(store, BOB, notices=notices).acquire()

    taken = record(store)
    assert taken is not None and taken.run == BOB
    assert len(notices) == 1
    assert notices[0].startswith("took over the expired lock of environment dev from alice, ")


def test_a_second_process_of_the_same_run_joins() -> None:
    store = FakeLockStore()
    first = held(store, RUN_7, host="runner-1")
    second = held(store, RUN_7, host="runner-2")

    joined = record(store)
    assert joined is not None and joined.run == RUN_7
    assert set(joined.members) == {first.process.member_id, second.process.member_id}


def test_a_process_scoped_lock_is_gone_when_its_last_member_leaves() -> None:
    store = FakeLockStore()
    lock = held(store, ALICE)

    lock.release()

    assert store.stored is None
    held(store, BOB)  # free again at once


def test_a_run_scoped_lock_lingers_for_the_runs_next_job() -> None:
    store = FakeLockStore()
    held(store, RUN_7, host="runner-1").release()

    lingering = record(store)
    assert lingering is not None and lingering.members == {}
    assert lingering.expires_at == store.clock + LINGER
    store.advance(LINGER.total_seconds() - 60)
    with pytest.raises(EnvironmentLocked, match="between two jobs until"):
        lock_of(store, RUN_8).acquire()
    next_job = held(store, RUN_7, host="runner-2")
    joined = record(store)
    assert joined is not None and list(joined.members) == [next_job.process.member_id]


def test_a_lingering_lock_nobody_rejoins_expires() -> None:
    store = FakeLockStore()
    held(store, RUN_7).release()
    store.advance(LINGER.total_seconds())

    held(store, RUN_8)

    taken = record(store)
    assert taken is not None and taken.run == RUN_8


def test_a_member_leaving_keeps_the_lock_for_the_others() -> None:
    store = FakeLockStore()
    first = held(store, RUN_7, host="runner-1")
    second = held(store, RUN_7, host="runner-2")

    first.release()

    kept = record(store)
    assert kept is not None and list(kept.members) == [second.process.member_id]
    assert kept.expires_at == store.clock + TTL


def test_a_member_that_stopped_renewing_is_dropped_when_the_last_one_leaves() -> None:
    store = FakeLockStore()
    held(store, RUN_7, host="killed")  # never renews, never leaves
    alive = held(store, RUN_7, host="alive")
    for _ in range(4):
        store.advance(TTL.total_seconds() / 3)
        alive.renew()

    alive.release()

    lingering = record(store)
    assert lingering is not None and lingering.members == {}


def test_renewal_pushes_the_expiry_and_keeps_other_runs_out() -> None:
    store = FakeLockStore()
    lock = held(store, ALICE)
    for _ in range(6):
        store.advance(TTL.total_seconds() / 3)
        lock.renew()

    renewed = record(store)
    assert renewed is not None and renewed.expires_at == store.clock + TTL
    with pytest.raises(EnvironmentLocked):
        lock_of(store, BOB).acquire()


def test_a_renewal_that_finds_another_runs_record_has_lost_the_lock() -> None:
    store = FakeLockStore()
    notices: list[str] = []
    lock = lock_of(store, ALICE, notices=notices)
    lock.acquire()
    store.advance(TTL.total_seconds() + 1)  # alice's machine slept through the TTL
    held(store, BOB)
    bobs = store.stored

    lock.renew()
    lock.release()

    assert lock.lost is not None and lock.lost.startswith("it is now held by bob")
    assert notices[-1].startswith("lost the lock of environment dev: it is now held by bob")
    assert store.stored == bobs  # bob's lock untouched by alice's release


def test_a_renewal_that_finds_no_record_has_lost_the_lock() -> None:
    store = FakeLockStore()
    lock = held(store, ALICE)
    store.stored = None  # someone ran 'firefly unlock --yes'

    lock.renew()

    assert lock.lost == "its record was removed ('firefly unlock')"
    assert store.stored is None  # not taken again behind the breaker's back


def test_of_two_racing_for_a_free_lock_the_loser_reads_again_and_is_refused() -> None:
    store = FakeLockStore()
    winner = lock_of(store, ALICE)
    store.races.append(lambda s: winner.acquire())  # lands between bob's read and his create

    with pytest.raises(EnvironmentLocked, match="locked by alice"):
        lock_of(store, BOB).acquire()


def test_two_jobs_of_one_run_racing_both_end_up_members() -> None:
    store = FakeLockStore()
    first = held(store, RUN_7, host="runner-1")
    second = lock_of(store, RUN_7, host="runner-2")
    third = lock_of(store, RUN_7, host="runner-3")
    store.races.append(lambda s: third.acquire())  # lands between runner-2's read and write

    second.acquire()

    joined = record(store)
    assert joined is not None
    assert set(joined.members) == {lock.process.member_id for lock in (first, second, third)}


def test_release_is_idempotent() -> None:
    store = FakeLockStore()

    with lock_of(store, ALICE) as lock:
        lock.release()
        lock.release()

    assert store.writes == ["create", "delete"]


@pytest.mark.parametrize("ending", [RuntimeError("bug"), KeyboardInterrupt()])
def test_the_lock_is_released_on_every_way_out(ending: BaseException) -> None:
    store = FakeLockStore()

    with pytest.raises(type(ending)), lock_of(store, ALICE):
        assert store.stored is not None
        raise ending

    assert store.stored is None


def test_a_failed_release_is_a_notice_not_a_second_error() -> None:
    store = FakeLockStore()
    notices: list[str] = []

    def unreachable(s: FakeLockStore) -> None:
        raise OrchestratorError("cannot release the environment lock: network down")

    with lock_of(store, ALICE, notices=notices):
        store.races.append(unreachable)

    assert notices == [
        "could not release the lock of environment dev: cannot release the environment lock: "
        "network down; it expires within 120 s, or run 'firefly unlock --env dev'"
    ]


def test_the_renewal_thread_rewrites_the_record_every_third_of_the_ttl() -> None:
    store = FakeLockStore()
    lock = EnvironmentLock(store, "dev", ALICE, process("laptop"), ttl=timedelta(seconds=0.06))

    with lock:
        wait_until(lambda: store.writes.count("replace") >= 3, "three renewals")

    assert store.writes[0] == "create" and store.writes[-1] == "delete"


def test_a_record_firefly_cannot_read_is_refused_with_the_way_out() -> None:
    store = FakeLockStore()
    store.put("{not json")

    with pytest.raises(OrchestratorError) as refused:
        lock_of(store, ALICE).acquire()

    assert refused.value.message.startswith(
        "memory://locks/dev.json is not a lock record firefly can read (JSONDecodeError: "
    )
    assert refused.value.message.endswith(
        "if no run holds dev, remove it with 'firefly unlock --env dev'"
    )


def test_records_round_trip_through_json() -> None:
    store = FakeLockStore()
    held(store, RUN_7, host="runner-1")
    held(store, RUN_7, host="runner-2")
    stored = record(store)
    assert stored is not None

    assert decode(encode(stored), "x", "dev") == stored


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        (
            {"FIREFLY_RUN_ID": "nightly-42", "USER": "alice", "GITHUB_RUN_ID": "7"},
            RunIdentity("nightly-42", Scope.RUN, "alice"),
        ),
        (
            {
                "GITHUB_RUN_ID": "7",
                "GITHUB_RUN_ATTEMPT": "2",
                "GITHUB_ACTOR": "octocat",
                "GITHUB_REPOSITORY": "o/r",
                "GITHUB_SERVER_URL": "https://github.example.com",
                "USER": "runner",
            },
            RunIdentity(
                "7-2",
                Scope.RUN,
                "octocat",
                "https://github.example.com/o/r/actions/runs/7/attempts/2",
            ),
        ),
    ],
)
def test_the_run_is_named_by_the_environment(
    environ: dict[str, str], expected: RunIdentity
) -> None:
    assert run_identity(environ) == expected


def test_without_a_run_id_each_command_is_a_run_of_its_own() -> None:
    first, second = run_identity({"USER": "alice"}), run_identity({"USER": "alice"})

    assert first.scope is second.scope is Scope.PROCESS
    assert first.holder == "alice"
    assert first.run_id != second.run_id
