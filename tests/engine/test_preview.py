"""`firefly plan` over fakes: nothing changes, no change set or placeholder stack is left."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from orchestrator.engine.deploy import DeployRequest, DeployServices, deploy
from orchestrator.engine.preview import preview
from orchestrator.manifest import load_manifest
from orchestrator.manifest.models import Manifest
from tests.engine.fakes import FakeStacks, RecordingObserver
from tests.engine.test_deploy import MANIFEST, SuiteRunner, Templates


@pytest.fixture
def manifest(write_manifest: Callable[[str], Path]) -> Manifest:
    return load_manifest(write_manifest(MANIFEST))


def services(stacks: FakeStacks, templates: Templates | None = None) -> DeployServices:
    return DeployServices(stacks=stacks, templates=templates or Templates(), tests=SuiteRunner())


def test_a_fresh_environment_plans_creates_without_touching_anything(
    manifest: Manifest,
) -> None:
    stacks = FakeStacks()
    planned = preview(manifest, DeployRequest(env="local"), services(stacks))

    assert {n: p.action for n, p in planned.workflows.items()} == {
        "table": "create",
        "func": "create",
        "smoke": "run tests",
    }
    assert planned.levels == [["table"], ["func"], ["smoke"]]
    assert stacks.calls == ["snapshot"]


def test_a_deployed_environment_plans_unchanged_with_one_sweep(manifest: Manifest) -> None:
    stacks = FakeStacks()
    deploy(manifest, DeployRequest(env="local"), services(stacks), RecordingObserver())
    stacks.calls.clear()

    planned = preview(manifest, DeployRequest(env="local"), services(stacks))

    assert planned.workflows["table"].action == "unchanged"
    assert planned.workflows["func"].action == "unchanged"
    # func has a secret parameter: only its (empty, deleted) change set can say it is unchanged
    assert stacks.calls == [
        "snapshot",
        "create_change_set demo-func UPDATE",
        "delete_change_set cs-2",
    ]


def test_a_changed_template_previews_its_changes_and_deletes_the_change_set(
    manifest: Manifest,
) -> None:
    stacks = FakeStacks()
    deploy(manifest, DeployRequest(env="local"), services(stacks), RecordingObserver())
    stacks.calls.clear()

    class Changed(Templates):
        def body(self, workflow: str, template: str) -> str:
            return '{"Description": "changed"}'

    planned = preview(manifest, DeployRequest(env="local"), services(stacks, Changed()))

    assert planned.workflows["table"].action == "update"
    assert planned.workflows["table"].changes == [{"action": "Add"}]
    created = [c for c in stacks.calls if c.startswith("create_change_set")]
    deleted = [c for c in stacks.calls if c.startswith("delete_change_set")]
    assert len(created) == len(deleted) == 2
    assert not any(c.startswith("execute") for c in stacks.calls)
