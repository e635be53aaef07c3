"""Status sweeps whose cost follows the stacks watched, not the stacks the region holds."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from orchestrator.aws.poller import StackPoller
from orchestrator.aws.sweep import StatusSweep


class Region:
    """A CloudFormation client over `unrelated` other stacks plus `ours`, paged `per_page` at a
    time; every call is counted by how it was made."""

    def __init__(self, ours: list[str], unrelated: int, per_page: int) -> None:
        self.names = [f"other-{i}" for i in range(unrelated)] + ours
        self.per_page = per_page
        self.by_name = 0
        self.pages = 0

    def _stack(self, name: str) -> dict[str, Any]:
        return {"StackName": name, "StackStatus": "CREATE_COMPLETE", "StackId": f"id-{name}"}

    def describe_stacks(self, StackName: str) -> dict[str, Any]:
        self.by_name += 1
        if StackName not in self.names:
            raise ClientError(
                {
                    "Error": {
                        "Code": "ValidationError",
                        "Message": f"Stack with id {StackName} does not exist",
                    }
                },
                "DescribeStacks",
            )
        return {"Stacks": [self._stack(StackName)]}

    def get_paginator(self, _: str) -> Any:
        region = self

        class Pages:
            def paginate(self, **__: Any) -> Any:
                for start in range(0, len(region.names), region.per_page):
                    region.pages += 1
                    yield {
                        "Stacks": [
                            region._stack(n) for n in region.names[start:][: region.per_page]
                        ]
                    }

        return Pages()


def test_a_few_stacks_among_many_are_asked_for_by_name() -> None:
    region = Region(["a", "b", "c"], unrelated=500, per_page=50)
    sweep = StatusSweep(region)

    sweep.describe(["a", "b", "c"])  # nothing known yet: a full sweep, and its cost learnt
    assert region.pages == 11 and sweep.sweep_cost() == 11
    found = sweep.describe(["a", "b", "c", "gone"])

    assert region.by_name == 4 and region.pages == 11  # four calls instead of eleven
    assert sorted(found) == ["a", "b", "c"]


def test_many_stacks_are_swept_when_a_sweep_costs_fewer_calls() -> None:
    ours = [f"s{i}" for i in range(40)]
    region = Region(ours, unrelated=100, per_page=50)
    sweep = StatusSweep(region)

    sweep.describe(ours)
    found = sweep.describe(ours)

    assert region.by_name == 0 and region.pages == 6 and len(found) == 40


def test_one_page_of_every_stack_is_still_charged_for_the_stacks_it_describes() -> None:
    region = Region(["a", "b"], unrelated=500, per_page=1000)
    sweep = StatusSweep(region)

    sweep.describe(["a", "b"])

    assert region.pages == 1 and sweep.sweep_cost() == 6  # 502 stacks, 100 a call
    sweep.describe(["a", "b"])
    assert region.by_name == 2


def test_the_poller_asks_for_the_stacks_it_watches_by_name_in_a_crowded_region() -> None:
    region = Region(["a"], unrelated=500, per_page=50)
    sweep = StatusSweep(region)
    sweep.describe(["a", "x"])  # the run's status sweep learns the cost
    poller = StackPoller(region, first_interval=0.001, max_interval=0.002, sweep=sweep)

    assert poller.wait("a").status == "CREATE_COMPLETE"
    assert region.pages == 11 and region.by_name == 1
