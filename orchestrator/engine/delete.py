"""`firefly delete`: the delete graph as a ready-queue, after the preflight said it may run."""

from __future__ import annotations

import time
from threading import Event

from orchestrator.engine.delete_plan import DeletePlan, DeleteRequest
from orchestrator.engine.ports import Inventory, RunObserver, Stacks
from orchestrator.engine.results import RunResult, WorkflowResult, WorkflowStatus
from orchestrator.engine.scheduler import run_graph, run_result, status_of
from orchestrator.errors import OrchestratorError


def delete(
    plan: DeletePlan,
    request: DeleteRequest,
    stacks: Stacks,
    inventory: Inventory,
    observer: RunObserver,
    stop: Event | None = None,
) -> RunResult:
    if plan.blockers:
        raise OrchestratorError(
            "nothing was deleted: " + "; ".join(f"{b.workflow}: {b.message}" for b in plan.blockers)
        )

    def work(workflow: str) -> WorkflowResult:
        started = time.monotonic()
        stack = plan.stacks[workflow]

        def result(status: WorkflowStatus, error: str | None = None) -> WorkflowResult:
            return WorkflowResult(workflow, status, stack, time.monotonic() - started, error=error)

        if workflow not in plan.existing:
            return result(WorkflowStatus.UNCHANGED)  # already gone: a rerun continues here
        try:
            _delete_stack(workflow, plan, stacks, inventory, observer)
        except OrchestratorError as error:
            if error.aborts_run:
                raise  # the scheduler stops the run on it
            return result(status_of(error), "; ".join(error.lines()))
        return result(WorkflowStatus.DELETED)

    schedule = run_graph(
        plan.graph, work, concurrency=request.concurrency, observer=observer, stop=stop
    )
    return run_result(request.env, "delete", schedule)


def nothing_deleted(plan: DeletePlan, env: str, reason: str) -> RunResult:
    """The result of a delete that stopped before its first stack (blocked, declined, or with
    nothing there): what is absent is unchanged; what exists is skipped, for its own blockers
    or else for `reason`."""
    blocked: dict[str, list[str]] = {}
    for blocker in plan.blockers:
        blocked.setdefault(blocker.workflow, []).append(blocker.message)
    results = {}
    for workflow in plan.graph.order():
        stack = plan.stacks[workflow]
        if workflow in plan.existing:
            why = "; ".join(blocked.get(workflow, [])) or reason
            results[workflow] = WorkflowResult(workflow, WorkflowStatus.SKIPPED, stack, error=why)
        else:
            results[workflow] = WorkflowResult(workflow, WorkflowStatus.UNCHANGED, stack)
    return RunResult(env, "delete", results, interrupted=False)


def _delete_stack(
    workflow: str, plan: DeletePlan, stacks: Stacks, inventory: Inventory, observer: RunObserver
) -> None:
    stack = plan.stacks[workflow]
    for table in plan.protected_tables.get(workflow, []):
        observer.phase(workflow, f"disabling deletion protection on table {table}")
        inventory.disable_deletion_protection(table)
    for bucket in plan.buckets_to_empty.get(workflow, []):
        observer.phase(workflow, f"emptying bucket {bucket}")
        removed = inventory.empty_bucket(bucket)
        observer.phase(workflow, f"removed {removed} object version(s) from bucket {bucket}")
    observer.phase(workflow, f"deleting stack {stack}")
    stacks.delete_stack(stack)
    final = stacks.wait_stack(stack, lambda event: observer.phase(workflow, event))
    if final.status != "DELETE_COMPLETE":
        failure = stacks.first_failure(stack)
        cause = failure.describe() if failure else (final.reason or "no failed resource event")
        raise OrchestratorError(f"{workflow}: stack {stack} ended {final.status}: {cause}")
    keys = plan.artifacts.get(workflow, set())
    if keys:
        observer.phase(workflow, f"removing {len(keys)} artifact(s) uploaded for it")
        inventory.delete_artifacts(keys)
