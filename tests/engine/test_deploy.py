"""deploy() over fakes: parameters flow from outputs, unchanged stacks cost no call, failures
name the resource, secrets never show."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from orchestrator.engine.deploy import DeployRequest, DeployServices, check_request, deploy
from orchestrator.engine.fingerprint import TAG
from orchestrator.engine.ports import ChangeSetRequest, FailedResource, StackSnapshot
from orchestrator.engine.results import RunResult, WorkflowStatus, exit_code, report
from orchestrator.errors import OrchestratorError, UsageError
from orchestrator.manifest import load_manifest
from orchestrator.manifest.models import Manifest
from tests.engine.fakes import FakeStacks, RecordingObserver

MANIFEST = """
    version: 1
    project: demo
    environments:
      local:
        region: us-east-1
        sandbox: true
        secrets: {TOKEN: hunter2-secret}
    workflows:
      table:
        type: cloudformation
        template: t.yaml
        description: The table
        parameters:
          Env: {env: name}
      func:
        type: sam
        template: f.yaml
        description: The function
        parameters:
          Table: {output: table.EnvOut}
          Token: {secret: TOKEN}
      smoke:
        type: tests
        description: Smoke tests
        deploy: {needs: {func: Function first}}
    """


class Templates:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.published: list[str] = []

    def body(self, workflow: str, template: str) -> str:
        self.calls.append(workflow)
        return f'{{"Description": "{template}"}}'

    def publish(self, workflow: str) -> None:
        self.published.append(workflow)


class SuiteRunner:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def run(self, workflow: str, stop: threading.Event) -> str:
        if self.fail:
            raise OrchestratorError(f"{workflow}: 1 of 3 checks failed")
        return "3 checks passed"


@pytest.fixture
def manifest(write_manifest: Callable[[str], Path]) -> Manifest:
    return load_manifest(write_manifest(MANIFEST))


def run(
    manifest: Manifest, stacks: FakeStacks, templates: Templates | None = None, **request: object
) -> tuple[RunResult, RecordingObserver]:
    templates = templates or Templates()
    services = DeployServices(stacks=stacks, templates=templates, tests=SuiteRunner())
    observer = RecordingObserver()
    result = deploy(manifest, DeployRequest(env="local", **request), services, observer)
    return result, observer


def test_a_fresh_deploy_creates_every_stack_and_passes_outputs_on(manifest: Manifest) -> None:
    stacks = FakeStacks()
    result, _ = run(manifest, stacks)

    statuses = {n: r.status for n, r in result.results.items()}
    assert statuses == {
        "table": WorkflowStatus.DEPLOYED,
        "func": WorkflowStatus.DEPLOYED,
        "smoke": WorkflowStatus.PASSED,
    }
    func_request = next(r for r in stacks.change_sets.values() if r.stack == "demo-func")
    assert func_request.parameters == {"Table": "local", "Token": "hunter2-secret"}
    assert func_request.change_set_type == "CREATE"
    assert "CAPABILITY_AUTO_EXPAND" in func_request.capabilities
    assert exit_code(result) == 0


def test_the_stacks_others_wait_on_are_named_to_the_poller(manifest: Manifest) -> None:
    stacks = FakeStacks()
    run(manifest, stacks)
    alone = FakeStacks()
    run(manifest, alone, only=("table",), with_prerequisites=False)

    # func waits on table, the smoke tests on func; in a run of table alone nothing waits
    assert stacks.awaited == {"demo-table", "demo-func"}
    assert alone.awaited == set()


def test_a_second_deploy_without_secrets_is_unchanged_without_any_change_set(
    manifest: Manifest,
) -> None:
    stacks = FakeStacks()
    run(manifest, stacks, only=("table",))
    stacks.calls.clear()

    result, _ = run(manifest, stacks, only=("table",))

    assert result.results["table"].status is WorkflowStatus.UNCHANGED
    assert stacks.calls == ["snapshot"]  # one status sweep, nothing else


def test_a_stack_with_secrets_is_unchanged_through_an_empty_change_set(
    manifest: Manifest,
) -> None:
    stacks = FakeStacks()
    run(manifest, stacks)
    stacks.calls.clear()

    result, _ = run(manifest, stacks)

    assert result.results["func"].status is WorkflowStatus.UNCHANGED
    assert result.results["table"].status is WorkflowStatus.UNCHANGED
    assert "create_change_set demo-func UPDATE" in stacks.calls  # its fingerprint cannot tell
    assert "create_change_set demo-table UPDATE" not in stacks.calls
    assert not any(call.startswith("execute_change_set") for call in stacks.calls)


def test_a_changed_secret_is_deployed(manifest: Manifest) -> None:
    stacks = FakeStacks()
    run(manifest, stacks)
    tag_before = stacks.stacks["demo-func"].tags[TAG]
    services = DeployServices(
        stacks, Templates(), tests=SuiteRunner(), environ={"TOKEN": "new-token-1"}
    )

    result = deploy(manifest, DeployRequest(env="local"), services, RecordingObserver())

    assert result.results["func"].status is WorkflowStatus.DEPLOYED
    assert "execute_change_set demo-func" in stacks.calls
    assert stacks.stacks["demo-func"].tags[TAG] == tag_before  # the tag never reflects a secret


def test_artifacts_are_published_only_for_stacks_that_are_deployed(manifest: Manifest) -> None:
    stacks, first, second = FakeStacks(), Templates(), Templates()
    run(manifest, stacks, first)

    run(manifest, stacks, second)

    assert sorted(first.published) == sorted(set(first.calls))  # each before its change set
    # unchanged: no call to the bucket, but for func, whose secret only a change set can check
    assert second.calls and second.published == ["func"]


def test_force_deploys_even_when_the_fingerprint_matches(manifest: Manifest) -> None:
    stacks = FakeStacks()
    run(manifest, stacks)
    stacks.calls.clear()

    run(manifest, stacks, force=True)

    assert "create_change_set demo-table UPDATE" in stacks.calls
    # nothing changed, so the change set came back empty and was deleted
    assert any(call.startswith("delete_change_set") for call in stacks.calls)


def test_a_rollback_names_the_failed_resource_and_skips_dependents(manifest: Manifest) -> None:
    stacks = FakeStacks(
        fail={
            "demo-table": FailedResource(
                "Table", "AWS::DynamoDB::Table", "CREATE_FAILED", "Table already exists"
            )
        }
    )

    result, _ = run(manifest, stacks)
    results = result.results

    assert results["table"].error == (
        "table: stack demo-table ended ROLLBACK_COMPLETE: Table "
        "(AWS::DynamoDB::Table) CREATE_FAILED: Table already exists"
    )
    assert results["func"].status is WorkflowStatus.SKIPPED
    assert results["smoke"].status is WorkflowStatus.SKIPPED
    assert exit_code(result) == 1


def test_a_rolled_back_stack_is_deleted_and_created_again(manifest: Manifest) -> None:
    stacks = FakeStacks(stacks={"demo-table": StackSnapshot("demo-table", "ROLLBACK_COMPLETE")})

    result, _ = run(manifest, stacks, only=("table",))

    assert result.results["table"].status is WorkflowStatus.DEPLOYED
    assert stacks.calls.index("delete_stack demo-table") < stacks.calls.index(
        "create_change_set demo-table CREATE"
    )


def test_update_rollback_failed_stops_with_guidance(manifest: Manifest) -> None:
    stacks = FakeStacks(
        stacks={"demo-table": StackSnapshot("demo-table", "UPDATE_ROLLBACK_FAILED")},
        stuck={
            "demo-table": [FailedResource("Table", "AWS::DynamoDB::Table", "UPDATE_FAILED", "")]
        },
    )
    result, _ = run(manifest, stacks, only=("table",))

    error = result.results["table"].error
    assert "'firefly rollback --env local --only table --skip-resource Table'" in error
    assert not any(call.startswith("create_change_set") for call in stacks.calls)


FAILED_TABLE = FailedResource("Table", "AWS::DynamoDB::Table", "UPDATE_FAILED", "bad key")


def test_no_rollback_keeps_a_failed_update_and_says_what_next(manifest: Manifest) -> None:
    deployed = StackSnapshot("demo-table", "UPDATE_COMPLETE", tags={TAG: "old"})
    stacks = FakeStacks(stacks={"demo-table": deployed}, fail={"demo-table": FAILED_TABLE})

    result, _ = run(manifest, stacks, only=("table",), disable_rollback=True)

    assert "execute_change_set demo-table (no rollback)" in stacks.calls
    assert stacks.stacks["demo-table"].status == "UPDATE_FAILED"
    assert result.results["table"].error == (
        "table: stack demo-table ended UPDATE_FAILED: Table (AWS::DynamoDB::Table) "
        "UPDATE_FAILED: bad key (kept as it is by --no-rollback: fix the template and deploy "
        "again, or run 'firefly rollback --env local --only table')"
    )


@pytest.mark.parametrize("status", ["UPDATE_FAILED", "CREATE_FAILED"])
def test_the_next_deploy_continues_a_failed_stack_with_an_update(
    manifest: Manifest, status: str
) -> None:
    # The failed stack carries the very fingerprint of this template: still not unchanged.
    stacks = FakeStacks(fail={"demo-table": FAILED_TABLE})
    run(manifest, stacks, only=("table",), disable_rollback=True)
    stacks.stacks["demo-table"] = replace(stacks.stacks["demo-table"], status=status)
    del stacks.fail["demo-table"]

    result, _ = run(manifest, stacks, only=("table",))

    assert result.results["table"].status is WorkflowStatus.DEPLOYED
    assert stacks.calls[-3:-1] == [
        "create_change_set demo-table UPDATE",
        "execute_change_set demo-table",
    ]


def test_no_rollback_is_refused_on_a_protected_environment(
    write_manifest: Callable[[str], Path],
) -> None:
    protected = load_manifest(
        write_manifest(MANIFEST.replace("sandbox: true", "sandbox: true\n        protected: true"))
    )

    with pytest.raises(UsageError, match="--no-rollback is refused on environment local"):
        check_request(protected, DeployRequest(env="local", disable_rollback=True))
    check_request(protected, DeployRequest(env="local"))


def test_only_without_deps_reads_upstream_outputs_from_the_stack(manifest: Manifest) -> None:
    stacks = FakeStacks(
        stacks={
            "demo-table": StackSnapshot(
                "demo-table", "CREATE_COMPLETE", tags={TAG: "x"}, outputs={"EnvOut": "from-stack"}
            )
        }
    )

    result, _ = run(manifest, stacks, only=("func",), with_prerequisites=False)

    assert list(result.results) == ["func"]
    request = next(iter(stacks.change_sets.values()))
    assert request.parameters["Table"] == "from-stack"


def test_a_missing_upstream_stack_is_a_clear_failure(manifest: Manifest) -> None:
    result, _ = run(manifest, FakeStacks(), only=("func",), with_prerequisites=False)

    assert result.results["func"].error == (
        "func: needs output EnvOut of stack demo-table, which does not exist; deploy table "
        "first (or drop --no-deps)"
    )


def test_secret_values_never_reach_results_or_progress(manifest: Manifest) -> None:
    class LeakyStacks(FakeStacks):
        def create_change_set(self, request: ChangeSetRequest) -> str:
            if request.stack == "demo-func":
                raise OrchestratorError(
                    f"Parameter Token value {request.parameters['Token']} is not allowed"
                )
            return super().create_change_set(request)

    result, observer = run(manifest, LeakyStacks())

    text = repr(report(result)) + repr(observer.events)
    assert "hunter2" not in text
    assert "Parameter Token value *** is not allowed" in text


def test_the_report_follows_the_design_contract(manifest: Manifest) -> None:
    result, _ = run(manifest, FakeStacks())
    data = report(result, {"func": ["table"]})

    assert data["env"] == "local" and data["action"] == "deploy"
    assert set(data) == {"env", "action", "api_calls", "workflows"}
    func = data["workflows"]["func"]
    assert set(func) == {
        "status",
        "stack",
        "seconds",
        "started_at",
        "finished_at",
        "outputs",
        "error",
        "needs",  # beyond the contract: what `firefly report` draws the critical path from
    }
    assert func["needs"] == ["table"] and data["workflows"]["table"]["needs"] == []
    started = datetime.fromisoformat(func["started_at"])
    assert func["started_at"].endswith("Z") and started.tzinfo is not None
    assert started <= datetime.fromisoformat(func["finished_at"])
    assert data["workflows"]["table"]["outputs"] == {"EnvOut": "local"}
