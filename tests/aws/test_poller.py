"""The shared poller over botocore's Stubber: batched sweeps, throttling storms, pacing."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from orchestrator.aws.poller import StackPoller, pace
from orchestrator.aws.session import connect
from orchestrator.errors import EndpointUnreachable, OrchestratorError
from tests.waiting import DEADLINE


def client() -> Any:
    return boto3.session.Session(
        aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1"
    ).client("cloudformation")


def stack(name: str, status: str) -> dict[str, Any]:
    return {
        "StackName": name,
        "StackStatus": status,
        "StackId": f"id-{name}",
        "CreationTime": "2026-01-01T00:00:00Z",
    }


def test_pace_is_fast_for_young_operations_and_slow_for_old_ones() -> None:
    assert pace(0.5, 0.2, 5.0) == 0.2
    assert pace(10.0, 0.2, 5.0) == pytest.approx(0.5)  # a twentieth of the age
    assert pace(600.0, 0.2, 5.0) == 5.0
    ages = [0.1 * i for i in range(1, 2000)]
    assert all(pace(a, 0.2, 5.0) <= pace(b, 0.2, 5.0) for a, b in pairwise(ages))


class SweepCounter:
    """A CloudFormation client whose stacks finish after two sweeps, counting every call."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.calls = 0

    def _stacks(self) -> list[dict[str, Any]]:
        self.calls += 1
        status = "CREATE_COMPLETE" if self.calls >= 2 else "CREATE_IN_PROGRESS"
        return [stack(n, status) for n in self.names]

    def describe_stacks(self, **_: Any) -> dict[str, Any]:
        return {"Stacks": self._stacks()}

    def get_paginator(self, _: str) -> Any:
        counter = self

        class Pages:
            def paginate(self, **__: Any) -> list[dict[str, Any]]:
                return [{"Stacks": counter._stacks()}]

        return Pages()


def test_stacks_in_flight_together_cost_one_describe_per_sweep() -> None:
    names = ["a", "b", "c"]
    fake = SweepCounter(names)
    poller = StackPoller(fake, first_interval=0.01, max_interval=0.05)
    with ThreadPoolExecutor(3) as pool:
        waiting = [pool.submit(poller.wait, n) for n in names]
        results = [future.result(timeout=DEADLINE) for future in waiting]

    assert [r.status for r in results] == ["CREATE_COMPLETE"] * 3
    # one call per sweep whatever the number of stacks (a waiter joining late adds a sweep)
    assert fake.calls == poller.sweeps <= 4


def test_an_unreachable_endpoint_fails_the_waiters_instead_of_hanging() -> None:
    from botocore.exceptions import EndpointConnectionError

    class Unreachable:
        def describe_stacks(self, **_: Any) -> dict[str, Any]:
            raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9")

    poller = StackPoller(Unreachable(), first_interval=0.001, max_interval=0.002)
    with pytest.raises(EndpointConnectionError):
        poller.wait("a")


def test_a_throttling_storm_never_fails_a_stack_that_succeeded() -> None:
    cloudformation = client()
    stubber = Stubber(cloudformation)
    for _ in range(4):
        stubber.add_client_error(
            "describe_stacks",
            service_error_code="Throttling",
            service_message="Rate exceeded",
            http_status_code=400,
        )
    stubber.add_response("describe_stacks", {"Stacks": [stack("a", "UPDATE_COMPLETE")]})
    poller = StackPoller(cloudformation, first_interval=0.001, max_interval=0.005)
    with stubber:
        result = poller.wait("a")

    assert result.status == "UPDATE_COMPLETE"


class Scripted:
    """A CloudFormation client whose stack `a` goes through `statuses`, one per sweep (the last
    repeats); `events` is what reading events does (a callable, so that it may raise)."""

    def __init__(self, statuses: list[Any], events: Any = None) -> None:
        self.statuses = statuses
        self.events = events or (lambda: [])

    def describe_stacks(self, **_: Any) -> dict[str, Any]:
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        if isinstance(status, Exception):
            raise status
        return {"Stacks": [stack("a", status)]}

    def get_paginator(self, _: str) -> Any:
        events = self.events

        class Pages:
            def paginate(self, **__: Any) -> list[dict[str, Any]]:
                return [{"StackEvents": events()}]

        return Pages()


def throttled() -> ClientError:
    return ClientError(
        {"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "DescribeStacks"
    )


def test_a_storm_longer_than_any_retry_budget_still_ends_in_the_result() -> None:
    fake = Scripted([*[throttled() for _ in range(12)], "UPDATE_COMPLETE"])
    poller = StackPoller(fake, first_interval=0.001, max_interval=0.001)
    assert poller.wait("a").status == "UPDATE_COMPLETE"


def test_server_errors_are_retried_a_few_times_then_fail_the_waiters() -> None:
    internal = ClientError(
        {"Error": {"Code": "InternalFailure"}, "ResponseMetadata": {"HTTPStatusCode": 500}},
        "DescribeStacks",
    )
    recovering = Scripted([internal, internal, "CREATE_COMPLETE"])
    poller = StackPoller(recovering, first_interval=0.001, max_interval=0.001)
    assert poller.wait("a").status == "CREATE_COMPLETE"
    failing = Scripted([internal])
    poller = StackPoller(failing, first_interval=0.001, max_interval=0.001)
    with pytest.raises(ClientError, match="InternalFailure"):
        poller.wait("a")


def test_a_dead_endpoint_fails_every_waiter_at_once() -> None:
    fake = Scripted([EndpointUnreachable("the sandbox stopped answering")])
    poller = StackPoller(fake, first_interval=0.001, max_interval=0.001)
    with ThreadPoolExecutor(2) as pool:
        waiting = [pool.submit(poller.wait, "a") for _ in range(2)]
        for future in waiting:
            with pytest.raises(EndpointUnreachable, match="stopped answering"):
                future.result(timeout=DEADLINE)


def test_an_unreadable_event_log_never_stops_the_poller() -> None:
    from botocore.exceptions import EndpointConnectionError

    def events() -> list[dict[str, Any]]:
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9")

    fake = Scripted(["CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE"], events)
    poller = StackPoller(fake, first_interval=0.001, max_interval=0.001)
    assert poller.wait("a", on_event=lambda _: None).status == "ROLLBACK_COMPLETE"


def test_a_listener_that_raises_never_blocks_the_waiter() -> None:
    heard = []

    def listener(line: str) -> None:
        heard.append(line)
        raise RuntimeError("the display broke")

    events = [event("e1", "Table", "DELETE_IN_PROGRESS")]
    fake = Scripted(
        ["UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE"],
        lambda: events,
    )
    poller = StackPoller(fake, first_interval=0.001, max_interval=0.001)
    assert poller.wait("a", on_event=listener).status == "UPDATE_ROLLBACK_COMPLETE"
    assert heard == ["Table DELETE_IN_PROGRESS"]


def test_an_answer_the_poller_cannot_read_fails_the_waiters_instead_of_hanging() -> None:
    class Malformed(Scripted):
        def describe_stacks(self, **_: Any) -> dict[str, Any]:
            return {"Stacks": [{"StackName": "a"}]}  # no StackStatus

    poller = StackPoller(Malformed(["x"]), first_interval=0.001, max_interval=0.001)
    with pytest.raises(KeyError):
        poller.wait("a")


def test_a_stack_that_disappears_while_deleting_is_delete_complete() -> None:
    cloudformation = client()
    stubber = Stubber(cloudformation)
    stubber.add_client_error(
        "describe_stacks",
        service_error_code="ValidationError",
        service_message="Stack with id a does not exist",
    )
    poller = StackPoller(cloudformation, first_interval=0.001)
    with stubber:
        assert poller.wait("a").status == "DELETE_COMPLETE"


def test_the_poller_thread_ends_when_nothing_is_watched() -> None:
    cloudformation = client()
    stubber = Stubber(cloudformation)
    stubber.add_response("describe_stacks", {"Stacks": [stack("a", "CREATE_COMPLETE")]})
    poller = StackPoller(cloudformation, first_interval=0.001)
    with stubber:
        poller.wait("a")
    for thread in threading.enumerate():
        if thread.name == "stack-poller":
            thread.join(timeout=DEADLINE)  # it ends at once; the deadline is for a broken one
    assert not any(t.name == "stack-poller" and t.is_alive() for t in threading.enumerate())


def test_credentials_of_another_account_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import orchestrator.aws.session as session_module

    real_session = session_module._session

    def stubbed(region: str, profile: str | None, endpoint: str | None, *keys: Any) -> Any:
        session = real_session(region, profile, endpoint, *keys)
        original = session.client

        def make(service: str, **kwargs: Any) -> Any:
            made = original(service, **kwargs)
            if service == "sts":
                stubber = Stubber(made)
                stubber.add_response(
                    "get_caller_identity",
                    {
                        "Account": "999999999999",
                        "Arn": "arn:aws:iam::999999999999:user/x",
                        "UserId": "x",
                    },
                )
                stubber.activate()
            return made

        session.client = make
        return session

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    monkeypatch.setattr(session_module, "_session", stubbed)
    with pytest.raises(
        OrchestratorError,
        match="credentials are for account 999999999999, "
        "but the environment deploys to 111111111111",
    ):
        connect("us-east-1", expected_account="111111111111")


def event(event_id: str, logical: str, status: str, reason: str = "") -> dict[str, Any]:
    found = {
        "EventId": event_id,
        "StackId": "id-a",
        "StackName": "a",
        "LogicalResourceId": logical,
        "ResourceStatus": status,
        "Timestamp": "2026-01-01T00:00:00Z",
    }
    return {**found, "ResourceStatusReason": reason} if reason else found


def test_events_are_read_when_an_operation_turns_and_from_the_last_one_seen() -> None:
    cloudformation = client()
    stubber = Stubber(cloudformation)
    stubber.add_response("describe_stacks", {"Stacks": [stack("a", "CREATE_IN_PROGRESS")]})
    stubber.add_response("describe_stacks", {"Stacks": [stack("a", "CREATE_IN_PROGRESS")]})
    stubber.add_response("describe_stacks", {"Stacks": [stack("a", "ROLLBACK_IN_PROGRESS")]})
    stubber.add_response(
        "describe_stack_events",
        {
            "StackEvents": [
                event("e4", "a", "ROLLBACK_IN_PROGRESS"),
                event("e3", "Table", "CREATE_FAILED", "Table already exists"),
                event("e2", "Table", "CREATE_IN_PROGRESS"),
            ]
        },
    )
    stubber.add_response("describe_stacks", {"Stacks": [stack("a", "ROLLBACK_IN_PROGRESS")]})
    stubber.add_response("describe_stacks", {"Stacks": [stack("a", "ROLLBACK_COMPLETE")]})
    heard: list[str] = []
    poller = StackPoller(cloudformation, first_interval=0.001, max_interval=0.002)
    with stubber:
        final = poller.wait("a", heard.append)

    assert final.status == "ROLLBACK_COMPLETE"
    assert heard == ["Table CREATE_FAILED: Table already exists"]
    # no events read at the start, while nothing changed, or at the end
    stubber.assert_no_pending_responses()


def test_the_event_cursor_stops_at_the_last_event_seen() -> None:
    from orchestrator.aws.events import EventCursor

    cloudformation = client()
    stubber = Stubber(cloudformation)
    stubber.add_response(
        "describe_stack_events",
        {
            "StackEvents": [
                event("e2", "Table", "CREATE_IN_PROGRESS"),
                event("e1", "a", "CREATE_IN_PROGRESS"),
            ]
        },
    )
    stubber.add_response(
        "describe_stack_events",
        {
            "StackEvents": [
                event("e4", "Table", "CREATE_COMPLETE"),
                event("e3", "Role", "CREATE_COMPLETE"),
                event("e2", "Table", "CREATE_IN_PROGRESS"),
            ],
            "NextToken": "more",
        },
    )
    cursor = EventCursor(cloudformation)
    with stubber:
        assert [e["EventId"] for e in cursor.new_events("a")] == ["e1", "e2"]
        assert [e["EventId"] for e in cursor.new_events("a")] == ["e3", "e4"]  # one page


def test_a_failed_resource_event_carries_its_reason() -> None:
    from orchestrator.aws.events import describe_event

    assert describe_event(event("e", "Table", "CREATE_FAILED", "Table already exists")) == (
        "Table CREATE_FAILED: Table already exists"
    )


class ChangeSets:
    """Change sets that are ready `ready_after` seconds after their first look is asked for,
    counting the looks at each."""

    def __init__(self, ready_after: float) -> None:
        self.ready_after = ready_after
        self.asked: dict[str, float] = {}
        self.looks: dict[str, int] = {}

    def expect(self, change_set_id: str) -> None:
        self.asked[change_set_id] = time.monotonic()

    def describe_change_set(self, ChangeSetName: str) -> dict[str, Any]:
        self.looks[ChangeSetName] = self.looks.get(ChangeSetName, 0) + 1
        ready = time.monotonic() - self.asked[ChangeSetName] >= self.ready_after
        return {
            "ChangeSetId": ChangeSetName,
            "Status": "CREATE_COMPLETE" if ready else "CREATE_PENDING",
        }


def test_a_change_set_is_first_looked_at_when_the_quickest_one_was_ready() -> None:
    fake = ChangeSets(ready_after=0.05)
    poller = StackPoller(fake, first_interval=0.001, max_interval=1.0)
    fake.expect("first")
    assert poller.wait_change_set("first")["Status"] == "CREATE_COMPLETE"
    with ThreadPoolExecutor(3) as pool:
        for name in ("second", "third", "fourth"):
            fake.expect(name)
        waiting = [pool.submit(poller.wait_change_set, n) for n in ("second", "third", "fourth")]
        assert all(f.result(timeout=DEADLINE)["Status"] == "CREATE_COMPLETE" for f in waiting)

    assert fake.looks["first"] > 3  # young: looked at often
    assert [fake.looks[n] for n in ("second", "third", "fourth")] == [1, 1, 1]


def test_a_refused_look_at_a_change_set_fails_only_its_waiter() -> None:
    class Refusing(ChangeSets):
        def describe_change_set(self, ChangeSetName: str) -> dict[str, Any]:
            if ChangeSetName == "bad":
                raise ClientError({"Error": {"Code": "AccessDenied"}}, "DescribeChangeSet")
            return super().describe_change_set(ChangeSetName)

    fake = Refusing(ready_after=0.0)
    fake.expect("good")
    poller = StackPoller(fake, first_interval=0.001, max_interval=0.002)
    with ThreadPoolExecutor(2) as pool:
        bad, good = (
            pool.submit(poller.wait_change_set, "bad"),
            pool.submit(poller.wait_change_set, "good"),
        )
        with pytest.raises(ClientError, match="AccessDenied"):
            bad.result(timeout=DEADLINE)
        assert good.result(timeout=DEADLINE)["Status"] == "CREATE_COMPLETE"
