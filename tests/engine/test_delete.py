"""The delete preflight and run over fakes: order, blockers, retained data, artifacts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from orchestrator.engine.delete import delete
from orchestrator.engine.delete_plan import DeleteRequest, plan_delete
from orchestrator.engine.ports import FailedResource, StackResource, StackSnapshot
from orchestrator.engine.results import WorkflowStatus, exit_code
from orchestrator.errors import OrchestratorError
from orchestrator.manifest import load_manifest
from orchestrator.manifest.models import Manifest
from tests.engine.fakes import FakeStacks, RecordingObserver

MANIFEST = """
    version: 1
    project: demo
    environments:
      local: {region: us-east-1, sandbox: true}
    workflows:
      table: {type: cloudformation, template: t.yaml, description: The table}
      layer: {type: sam, template: l.yaml, description: The layer}
      func:
        type: sam
        template: f.yaml
        description: The function
        deploy: {needs: {table: Table first, layer: Layer first}}
      smoke: {type: tests, description: Smoke, deploy: {needs: {func: Function first}}}
    """
TABLE = StackResource("Table", "AWS::DynamoDB::Table", "demo-table")


@dataclass
class FakeInventory:
    protected: dict[str, list[str]] = field(default_factory=dict)
    retain: dict[str, list[StackResource]] = field(default_factory=dict)
    keys: dict[str, set[str]] = field(default_factory=dict)
    importers: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    termination: set[str] = field(default_factory=set)
    disabled: list[str] = field(default_factory=list)
    deleted_keys: set[str] = field(default_factory=set)
    holding: dict[str, list[StackResource]] = field(default_factory=dict)  # stack -> resources
    stored: dict[str, int] = field(default_factory=dict)  # physical id -> objects or items
    emptied: list[str] = field(default_factory=list)

    def resources(self, stack: str) -> list[StackResource]:
        return self.retain.get(stack, []) + self.holding.get(stack, [])

    def retained(self, stack: str) -> list[StackResource]:
        return self.retain.get(stack, [])

    def deletion_protected_tables(self, stack: str) -> list[str]:
        return [t for t in self.protected.get(stack, []) if t not in self.disabled]

    def disable_deletion_protection(self, table: str) -> None:
        self.disabled.append(table)

    def termination_protected(self, stack: str) -> bool:
        return stack in self.termination

    def foreign_importers(self, stack: str, deleting: set[str]) -> dict[str, list[str]]:
        return {
            export: [s for s in users if s not in deleting]
            for export, users in self.importers.get(stack, {}).items()
            if set(users) - deleting
        }

    def artifact_keys(self, stack: str) -> set[str]:
        return self.keys.get(stack, set())

    def delete_artifacts(self, keys: set[str]) -> None:
        self.deleted_keys |= keys

    def stored_count(self, resource: StackResource) -> int | None:
        return self.stored.get(resource.physical_id)

    def empty_bucket(self, bucket: str) -> int:
        self.emptied.append(bucket)
        return self.stored.pop(bucket)


@pytest.fixture
def manifest(write_manifest: Callable[[str], Path]) -> Manifest:
    return load_manifest(write_manifest(MANIFEST))


def deployed() -> FakeStacks:
    return FakeStacks(
        stacks={
            name: StackSnapshot(name, "CREATE_COMPLETE")
            for name in ("demo-table", "demo-layer", "demo-func")
        }
    )


def test_stacks_are_deleted_in_reverse_deploy_order(manifest: Manifest) -> None:
    stacks = deployed()
    request = DeleteRequest(env="local")
    plan = plan_delete(manifest, request, stacks, FakeInventory())

    assert plan.levels == [["func"], ["table", "layer"]]
    result = delete(plan, request, stacks, FakeInventory(), RecordingObserver())

    assert next(c for c in stacks.calls if c.startswith("delete_stack")) == "delete_stack demo-func"
    assert {r.status for r in result.results.values()} == {WorkflowStatus.DELETED}
    assert stacks.stacks == {}


def test_deletion_protection_blocks_everything_without_the_flag(manifest: Manifest) -> None:
    stacks = deployed()
    inventory = FakeInventory(protected={"demo-table": ["demo-table"]})
    request = DeleteRequest(env="local")
    plan = plan_delete(manifest, request, stacks, inventory)

    assert [b.workflow for b in plan.blockers] == ["table"]
    assert "--disable-deletion-protection" in plan.blockers[0].message
    with pytest.raises(OrchestratorError, match="nothing was deleted"):
        delete(plan, request, stacks, inventory, RecordingObserver())
    assert not any(c.startswith("delete_stack") for c in stacks.calls)


def test_the_flag_disables_protection_before_deleting_that_stack(manifest: Manifest) -> None:
    stacks = deployed()
    inventory = FakeInventory(protected={"demo-table": ["demo-table"]})
    request = DeleteRequest(env="local", disable_deletion_protection=True)
    plan = plan_delete(manifest, request, stacks, inventory)

    result = delete(plan, request, stacks, inventory, RecordingObserver())

    assert plan.blockers == []
    assert inventory.disabled == ["demo-table"]
    assert result.results["table"].status is WorkflowStatus.DELETED


@pytest.mark.parametrize("flag", [False, True])
def test_a_retained_protected_table_never_blocks_and_keeps_its_protection(
    manifest: Manifest, flag: bool
) -> None:
    """CloudFormation never deletes a DeletionPolicy: Retain resource, so its deletion
    protection cannot stop the stack's delete, and nothing may turn that protection off."""
    stacks = deployed()
    inventory = FakeInventory(
        protected={"demo-table": ["demo-table"]}, retain={"demo-table": [TABLE]}
    )
    request = DeleteRequest(env="local", disable_deletion_protection=flag)
    plan = plan_delete(manifest, request, stacks, inventory)

    result = delete(plan, request, stacks, inventory, RecordingObserver())

    assert plan.blockers == []
    assert plan.protected_tables == {}
    assert inventory.disabled == []
    assert result.results["table"].status is WorkflowStatus.DELETED
    assert plan.retained["table"] == [TABLE]


@pytest.mark.parametrize(
    ("inventory", "needle"),
    [
        (FakeInventory(termination={"demo-layer"}), "termination protection"),
        (
            FakeInventory(importers={"demo-table": {"TableExport": ["other-stack"]}}),
            "export TableExport is still imported by other-stack",
        ),
    ],
)
def test_other_blockers_are_found_before_anything_is_deleted(
    manifest: Manifest, inventory: FakeInventory, needle: str
) -> None:
    plan = plan_delete(manifest, DeleteRequest(env="local"), deployed(), inventory)

    assert any(needle in b.message for b in plan.blockers)


def test_no_deps_refuses_when_what_must_go_first_still_exists(manifest: Manifest) -> None:
    request = DeleteRequest(env="local", only=("table",), with_prerequisites=False)
    plan = plan_delete(manifest, request, deployed(), FakeInventory())

    assert [b.message.split(" (")[0] for b in plan.blockers] == ["func must be deleted first"]


def test_only_selects_what_must_be_deleted_first(manifest: Manifest) -> None:
    plan = plan_delete(
        manifest, DeleteRequest(env="local", only=("table",)), deployed(), FakeInventory()
    )

    assert plan.graph.order() == ["func", "table"]
    assert plan.blockers == []


def test_retained_resources_are_listed_in_the_plan(manifest: Manifest) -> None:
    inventory = FakeInventory(retain={"demo-table": [TABLE]})
    plan = plan_delete(manifest, DeleteRequest(env="local"), deployed(), inventory)

    assert plan.retained["table"] == [TABLE]


def test_only_artifacts_no_remaining_stack_uses_are_removed(manifest: Manifest) -> None:
    stacks = deployed()
    # the layer stack stays, and its template points at the shared zip too
    inventory = FakeInventory(
        keys={
            "demo-func": {"func/a.zip", "shared/s.zip"},
            "demo-layer": {"layer/l.zip", "shared/s.zip"},
        }
    )
    request = DeleteRequest(env="local", only=("func",))
    plan = plan_delete(manifest, request, stacks, inventory)

    delete(plan, request, stacks, inventory, RecordingObserver())

    assert inventory.deleted_keys == {"func/a.zip"}


def test_delete_failed_names_the_resource_skips_dependents_and_reruns(manifest: Manifest) -> None:
    class StuckStacks(FakeStacks):
        def wait_stack(
            self, stack: str, on_event: Callable[[str], None] | None = None
        ) -> StackSnapshot:
            if stack == "demo-func" and not self.calls.count("delete_stack demo-func") > 1:
                return StackSnapshot(stack, "DELETE_FAILED")
            return super().wait_stack(stack)

    stacks = StuckStacks(
        stacks=deployed().stacks,
        fail={
            "demo-func": FailedResource(
                "Role", "AWS::IAM::Role", "DELETE_FAILED", "policy attached"
            )
        },
    )
    stacks.stacks["demo-func"] = StackSnapshot("demo-func", "CREATE_COMPLETE")
    request = DeleteRequest(env="local")
    inventory = FakeInventory()

    first = delete(
        plan_delete(manifest, request, stacks, inventory),
        request,
        stacks,
        inventory,
        RecordingObserver(),
    )

    assert first.results["func"].error == (
        "func: stack demo-func ended DELETE_FAILED: Role "
        "(AWS::IAM::Role) DELETE_FAILED: policy attached"
    )
    assert first.results["table"].status is WorkflowStatus.SKIPPED
    assert exit_code(first) == 1
    stacks.stacks["demo-func"] = StackSnapshot("demo-func", "DELETE_FAILED")
    second = delete(
        plan_delete(manifest, request, stacks, inventory),
        request,
        stacks,
        inventory,
        RecordingObserver(),
    )
    assert {r.status for r in second.results.values()} == {WorkflowStatus.DELETED}


def test_absent_stacks_are_nothing_to_do(manifest: Manifest) -> None:
    stacks = FakeStacks(stacks={"demo-table": StackSnapshot("demo-table", "CREATE_COMPLETE")})
    request = DeleteRequest(env="local")
    result = delete(
        plan_delete(manifest, request, stacks, FakeInventory()),
        request,
        stacks,
        FakeInventory(),
        RecordingObserver(),
    )

    assert result.results["func"].status is WorkflowStatus.UNCHANGED
    assert result.results["table"].status is WorkflowStatus.DELETED


BUCKET = StackResource("Bucket", "AWS::S3::Bucket", "demo-bucket")


def filled_bucket() -> FakeInventory:
    return FakeInventory(holding={"demo-layer": [BUCKET]}, stored={"demo-bucket": 42})


def test_a_bucket_holding_data_blocks_with_its_count(manifest: Manifest) -> None:
    stacks, inventory = deployed(), filled_bucket()
    plan = plan_delete(manifest, DeleteRequest(env="local"), stacks, inventory)

    assert [(b.workflow, b.message) for b in plan.blockers] == [
        (
            "layer",
            "bucket demo-bucket holds 42 object version(s); empty it first, or pass "
            "--empty-buckets to let firefly do it",
        )
    ]
    assert [d.describe() for d in plan.data] == ["bucket demo-bucket holds 42 object version(s)"]


def test_empty_buckets_empties_exactly_those_before_their_stack_goes(manifest: Manifest) -> None:
    stacks, inventory = deployed(), filled_bucket()
    request = DeleteRequest(env="local", empty_buckets=True)
    plan = plan_delete(manifest, request, stacks, inventory)

    observer = RecordingObserver()
    result = delete(plan, request, stacks, inventory, observer)

    assert plan.blockers == []
    assert inventory.emptied == ["demo-bucket"]
    phases = [text for event, text in observer.events if event == "phase"]
    emptying = phases.index("layer: removed 42 object version(s) from bucket demo-bucket")
    assert emptying < phases.index("layer: deleting stack demo-layer")
    assert result.results["layer"].status is WorkflowStatus.DELETED


def test_a_protected_environment_never_empties_a_bucket(
    write_manifest: Callable[[str], Path],
) -> None:
    protected = load_manifest(
        write_manifest(MANIFEST.replace("sandbox: true", "sandbox: true, protected: true"))
    )
    request = DeleteRequest(env="local", empty_buckets=True)
    plan = plan_delete(protected, request, deployed(), filled_bucket())

    assert plan.buckets_to_empty == {}
    assert "--empty-buckets is refused on a protected environment" in plan.blockers[0].message


def test_a_table_s_items_are_listed_but_do_not_block(manifest: Manifest) -> None:
    table = StackResource("Table", "AWS::DynamoDB::Table", "demo-items")
    inventory = FakeInventory(holding={"demo-table": [table]}, stored={"demo-items": 7})
    plan = plan_delete(manifest, DeleteRequest(env="local"), deployed(), inventory)

    assert plan.blockers == []
    assert [d.describe() for d in plan.data] == ["table demo-items holds about 7 item(s)"]


def test_retained_data_is_neither_counted_nor_emptied(manifest: Manifest) -> None:
    inventory = FakeInventory(retain={"demo-layer": [BUCKET]}, stored={"demo-bucket": 42})
    request = DeleteRequest(env="local", empty_buckets=True)
    plan = plan_delete(manifest, request, deployed(), inventory)

    assert (plan.data, plan.blockers, plan.buckets_to_empty) == ([], [], {})
