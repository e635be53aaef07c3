"""Seed 001's three deploy paths, over fakes: normal, IMPORT then deploy, fresh."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from orchestrator.engine.adopt import plan_import
from orchestrator.engine.deploy import DeployRequest, DeployServices, deploy
from orchestrator.engine.ports import ExistingResource, StackSnapshot
from orchestrator.engine.results import WorkflowStatus
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
      keys:
        type: cloudformation
        template: k.yaml
        description: The keys table
        adopt:
          Table: {TableName: demo-keys}
    """


def template(policy: str = "Retain", name: str = "demo-keys") -> dict[str, object]:
    return {
        "Resources": {
            "Table": {
                "Type": "AWS::DynamoDB::Table",
                "DeletionPolicy": policy,
                "Properties": {"TableName": name},
            },
            "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {}},
        },
        "Outputs": {"TableName": {"Value": {"Ref": "Table"}}},
    }


@dataclass
class FakeAdoptions:
    existing: dict[str, ExistingResource] = field(default_factory=dict)
    document_: dict[str, object] = field(default_factory=template)
    reasserted: list[tuple[str, str, dict[str, object]]] = field(default_factory=list)

    def find(self, resource_type: str, identifier: Mapping[str, str]) -> ExistingResource:
        return self.existing.get(identifier["TableName"], ExistingResource(False))

    def document(self, template: str) -> dict[str, object]:
        return self.document_

    def reassert(
        self, resource_type: str, physical_id: str, properties: Mapping[str, object]
    ) -> list[str]:
        self.reasserted.append((resource_type, physical_id, dict(properties)))
        return ["DeletionProtectionEnabled false -> true"]


class Templates:
    def body(self, workflow: str, template: str) -> str:
        return '{"full": true}'

    def publish(self, workflow: str) -> None:
        pass


@pytest.fixture
def manifest(write_manifest: Callable[[str], Path]) -> Manifest:
    return load_manifest(write_manifest(MANIFEST))


def run(manifest: Manifest, stacks: FakeStacks, adoptions: FakeAdoptions) -> WorkflowStatus:
    services = DeployServices(stacks=stacks, templates=Templates(), adoptions=adoptions)
    result = deploy(manifest, DeployRequest(env="local"), services, RecordingObserver())
    return result.results["keys"].status


def test_table_without_stack_is_imported_then_deployed(manifest: Manifest) -> None:
    stacks = FakeStacks()
    status = run(manifest, stacks, FakeAdoptions({"demo-keys": ExistingResource(True)}))

    assert status is WorkflowStatus.IMPORTED
    kinds = [c for c in stacks.calls if c.startswith("create_change_set")]
    assert kinds == ["create_change_set demo-keys IMPORT", "create_change_set demo-keys UPDATE"]
    importing = next(iter(stacks.change_sets.values()))
    assert importing.resources_to_import == [
        {
            "ResourceType": "AWS::DynamoDB::Table",
            "LogicalResourceId": "Table",
            "ResourceIdentifier": {"TableName": "demo-keys"},
        }
    ]
    # only the adopted resource, and no Outputs: CloudFormation refuses anything else
    assert importing.template_body == (
        '{"Resources":{"Table":{"Type":"AWS::DynamoDB::Table","DeletionPolicy":"Retain",'
        '"Properties":{"TableName":"demo-keys"}}}}'
    )


def test_no_table_and_no_stack_is_a_fresh_deploy(manifest: Manifest) -> None:
    stacks = FakeStacks()

    assert run(manifest, stacks, FakeAdoptions()) is WorkflowStatus.DEPLOYED
    assert [c for c in stacks.calls if c.startswith("create_change_set")] == [
        "create_change_set demo-keys CREATE"
    ]


def test_an_existing_stack_is_a_normal_deploy(manifest: Manifest) -> None:
    stacks = FakeStacks(stacks={"demo-keys": StackSnapshot("demo-keys", "CREATE_COMPLETE")})
    adoptions = FakeAdoptions({"demo-keys": ExistingResource(True, "demo-keys")})

    assert run(manifest, stacks, adoptions) is WorkflowStatus.DEPLOYED
    assert [c for c in stacks.calls if c.startswith("create_change_set")] == [
        "create_change_set demo-keys UPDATE"
    ]


@pytest.mark.parametrize(
    ("adoptions", "needle"),
    [
        (
            FakeAdoptions({"demo-keys": ExistingResource(True, "someone-else")}),
            "already managed by stack someone-else",
        ),
        (
            FakeAdoptions({"demo-keys": ExistingResource(True)}, template(policy="Delete")),
            "needs 'DeletionPolicy: Retain'",
        ),
        (
            FakeAdoptions({"demo-keys": ExistingResource(True)}, template(name="other")),
            "the manifest identifies it by TableName=demo-keys, the template says 'other'",
        ),
    ],
)
def test_preflight_refuses_before_any_change(
    manifest: Manifest, adoptions: FakeAdoptions, needle: str
) -> None:
    with pytest.raises(OrchestratorError, match=needle):
        plan_import(manifest.workflows["keys"], "demo-keys", adoptions)

    stacks = FakeStacks()
    assert run(manifest, stacks, adoptions) is WorkflowStatus.FAILED
    assert not any(c.startswith("create_change_set") for c in stacks.calls)


@pytest.mark.parametrize("status", ["ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "REVIEW_IN_PROGRESS"])
def test_a_dead_stack_over_a_kept_table_is_replaced_by_an_import(
    manifest: Manifest, status: str
) -> None:
    """A first create that failed after making its table leaves the stack ROLLBACK_COMPLETE and
    the table retained (an abandoned change set leaves REVIEW_IN_PROGRESS): a plain create would
    fail on 'Table already exists' at every rerun. The stack goes, the table is imported."""
    stacks = FakeStacks(stacks={"demo-keys": StackSnapshot("demo-keys", status)})
    adoptions = FakeAdoptions({"demo-keys": ExistingResource(True, "demo-keys")})

    assert run(manifest, stacks, adoptions) is WorkflowStatus.IMPORTED
    assert stacks.calls.index("delete_stack demo-keys") < stacks.calls.index(
        "create_change_set demo-keys IMPORT"
    )
    assert [c for c in stacks.calls if c.startswith("create_change_set")] == [
        "create_change_set demo-keys IMPORT",
        "create_change_set demo-keys UPDATE",
    ]


def test_after_an_import_the_template_s_values_are_reasserted_and_said(manifest: Manifest) -> None:
    stacks = FakeStacks()
    adoptions = FakeAdoptions({"demo-keys": ExistingResource(True)})
    services = DeployServices(stacks=stacks, templates=Templates(), adoptions=adoptions)
    observer = RecordingObserver()

    deploy(manifest, DeployRequest(env="local"), services, observer)

    assert adoptions.reasserted == [
        ("AWS::DynamoDB::Table", "demo-keys", {"TableName": "demo-keys"})
    ]
    assert (
        "phase",
        "keys: corrected after the import: Table: DeletionProtectionEnabled false -> true",
    ) in observer.events


def test_a_normal_deploy_reasserts_nothing(manifest: Manifest) -> None:
    stacks = FakeStacks(stacks={"demo-keys": StackSnapshot("demo-keys", "CREATE_COMPLETE")})
    adoptions = FakeAdoptions({"demo-keys": ExistingResource(True, "demo-keys")})

    run(manifest, stacks, adoptions)

    assert adoptions.reasserted == []
