"""`firefly rollback`: gets a failed stack moving again, one selected workflow at a time.

A stack a `--no-rollback` deploy left CREATE_FAILED or UPDATE_FAILED is rolled back to its last
stable state (RollbackStack, CloudFormation API Reference); a stack whose update rollback failed
(UPDATE_ROLLBACK_FAILED) has its rollback resumed, the resources named in `skip_resources` left as
they are (ContinueUpdateRollback and its ResourcesToSkip, CloudFormation API Reference).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from orchestrator.engine.ports import FailedResource, RunObserver, Stacks, StackSnapshot
from orchestrator.engine.stack_plan import decide
from orchestrator.errors import UsageError
from orchestrator.manifest import environment
from orchestrator.manifest.models import Manifest

_MAX_WAITS = 3


class RollbackAction(StrEnum):
    ROLLBACK = "rollback"  # RollbackStack
    CONTINUE = "continue"  # ContinueUpdateRollback
    WAIT = "wait"  # an operation runs: wait for it, then decide again
    NOTHING = "nothing"  # no rollback applies


def rollback_action(status: str | None) -> RollbackAction:
    """Observed stack status -> what `firefly rollback` does with it."""
    if status in ("CREATE_FAILED", "UPDATE_FAILED"):
        return RollbackAction.ROLLBACK
    if status == "UPDATE_ROLLBACK_FAILED":
        return RollbackAction.CONTINUE
    if status is not None and status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS":
        return RollbackAction.WAIT
    return RollbackAction.NOTHING


@dataclass(frozen=True)
class RollbackRequest:
    env: str
    only: tuple[str, ...]
    skip_resources: tuple[str, ...] = ()


@dataclass(frozen=True)
class RollbackOutcome:
    workflow: str
    stack: str
    status: str  # the stack's status once done ("" when there is no stack)
    ok: bool  # the stack ends stable (or there was nothing to roll back)
    message: str


def selected_stacks(manifest: Manifest, request: RollbackRequest) -> dict[str, str]:
    """Workflow -> stack name of every --only workflow (no prerequisites: a rollback touches
    only what it names); refuses, before any AWS call, a workflow without a stack."""
    env = environment(manifest, request.env)
    if not request.only:
        raise UsageError("rollback needs --only WORKFLOW: name the stacks to roll back")
    selected = {}
    for name in request.only:
        workflow = manifest.workflows.get(name)
        if workflow is None or not workflow.has_stack:
            raise UsageError(f"--only {name}: no stack workflow of that name in the manifest")
        selected[name] = manifest.stack_name(name, env.name)
    return selected


def rollback(
    manifest: Manifest, request: RollbackRequest, stacks: Stacks, observer: RunObserver
) -> list[RollbackOutcome]:
    env = environment(manifest, request.env)
    selected = selected_stacks(manifest, request)
    observed = stacks.snapshot(sorted(selected.values()))
    return [
        _roll_back(workflow, stack, observed.get(stack), request, env.name, stacks, observer)
        for workflow, stack in selected.items()
    ]


def _roll_back(
    workflow: str,
    stack: str,
    observed: StackSnapshot | None,
    request: RollbackRequest,
    env: str,
    stacks: Stacks,
    observer: RunObserver,
) -> RollbackOutcome:
    for _ in range(_MAX_WAITS):
        status = observed.status if observed else None
        action = rollback_action(status)
        if action is not RollbackAction.WAIT:
            break
        observer.phase(workflow, f"waiting for {status} to finish")
        observed = stacks.wait_stack(stack)
    if action is RollbackAction.WAIT or action is RollbackAction.NOTHING:
        return _nothing(workflow, stack, status, env)
    if action is RollbackAction.ROLLBACK:
        observer.phase(workflow, f"rolling back the {status} stack")
        stacks.rollback_stack(stack)
    else:
        skip = _skipped(stacks.rollback_failures(stack), request.skip_resources)
        skipping = f", skipping {', '.join(skip)}" if skip else ""
        observer.phase(workflow, f"continuing the update rollback{skipping}")
        stacks.continue_update_rollback(stack, skip)
    final = stacks.wait_stack(stack, lambda event: observer.phase(workflow, event))
    return _outcome(workflow, stack, final, env, stacks)


def _skipped(failures: Sequence[FailedResource], wanted: Sequence[str]) -> list[str]:
    """The --skip-resource ids that are this stack's failed resources: one command may name
    the resources of several stacks."""
    failed = {f.logical_id for f in failures}
    return [logical_id for logical_id in wanted if logical_id in failed]


def _nothing(workflow: str, stack: str, status: str | None, env: str) -> RollbackOutcome:
    if status is None or status == "DELETE_COMPLETE":
        return RollbackOutcome(
            workflow, stack, "", True, f"nothing to roll back: stack {stack} does not exist"
        )
    stable = status.endswith("_COMPLETE") and not status.startswith("REVIEW")
    message = f"nothing to roll back: stack {stack} is {status}"
    if not stable:
        guidance = decide(status, stack=stack, workflow=workflow, env=env).guidance
        message = f"{message}; {guidance}" if guidance else message
    return RollbackOutcome(workflow, stack, status, stable, message)


def _outcome(
    workflow: str, stack: str, final: StackSnapshot, env: str, stacks: Stacks
) -> RollbackOutcome:
    if final.status.endswith("_COMPLETE"):  # DELETE_COMPLETE: nothing stable to go back to
        return RollbackOutcome(
            workflow, stack, final.status, True, f"stack {stack} rolled back: {final.status}"
        )
    failures = stacks.rollback_failures(stack)
    cause = failures[0].describe() if failures else (final.reason or "no failed resource event")
    message = f"stack {stack} ended {final.status}: {cause}"
    if final.status == "UPDATE_ROLLBACK_FAILED":
        failed = [f.logical_id for f in failures]
        guidance = decide(final.status, stack=stack, workflow=workflow, env=env, failed=failed)
        message = f"{message}; {guidance.guidance}"
    return RollbackOutcome(workflow, stack, final.status, False, message)
