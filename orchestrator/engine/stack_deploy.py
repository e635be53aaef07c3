"""One stack workflow's deploy: decide from the observed status, change set, execute, wait."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from threading import Event

from orchestrator.engine.adopt import ImportPlan
from orchestrator.engine.fingerprint import TAG, already_deployed, stamped
from orchestrator.engine.ports import ChangeSetRequest, RunObserver, Stacks, StackSnapshot
from orchestrator.engine.results import WorkflowResult, WorkflowStatus
from orchestrator.engine.stack_plan import StackAction, decide
from orchestrator.errors import Interrupted, OrchestratorError

# What SAM deploys need (AUTO_EXPAND for the transform) and what named IAM roles need.
CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND")
CHANGE_SET_PREFIX = "firefly"
_SUCCESS = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"}
_MAX_WAITS = 3


@dataclass(frozen=True)
class StackJob:
    workflow: str
    stack: str
    body: str
    parameters: Mapping[str, str]
    tags: Mapping[str, str]
    force: bool = False
    # Parameters whose values are secrets: left out of the fingerprint (see fingerprint.py)
    secret_parameters: frozenset[str] = frozenset()
    # What to IMPORT when the stack has to be created, looked up only then: after a dead stack
    # (ROLLBACK_COMPLETE, an abandoned review) is gone, over the resources it left behind.
    adopt: Callable[[], ImportPlan | None] | None = None
    # After an import: the template's values set where the IMPORT left a resource as found
    reassert: Callable[[ImportPlan], list[str]] | None = None
    # Stores what `body` points at (Lambda zips): called only once a change set will be made,
    # so an unchanged stack costs no call to the artifact bucket.
    publish: Callable[[], None] = lambda: None
    env: str = ""  # for the commands guidance names
    # --no-rollback: a failed CREATE or UPDATE keeps what it made, for the next deploy to fix
    disable_rollback: bool = False
    # --revert-drift: updates are drift-aware, so even an unchanged stack gets a change set
    revert_drift: bool = False


def deploy_stack(
    job: StackJob,
    observed: StackSnapshot | None,
    stacks: Stacks,
    observer: RunObserver,
    stop: Event,
) -> WorkflowResult:
    started = time.monotonic()
    tags = stamped(job.tags, job.body, job.parameters, job.secret_parameters)
    for _ in range(_MAX_WAITS):
        status = observed.status if observed else None
        decision = decide(status, has_resources=False, stack=job.stack, workflow=job.workflow)
        if decision.action is not StackAction.WAIT:
            break
        observer.phase(job.workflow, f"waiting for {status} to finish")
        observed = stacks.wait_stack(job.stack)
    if decision.action is StackAction.FAIL:
        raise OrchestratorError(f"{job.workflow}: {_guidance(job, status, stacks)}")
    if decision.action is StackAction.WAIT:
        raise OrchestratorError(f"{job.workflow}: stack {job.stack} stays busy; try again later")

    def result(status: WorkflowStatus, outputs: Mapping[str, str]) -> WorkflowResult:
        return WorkflowResult(
            job.workflow, status, job.stack, time.monotonic() - started, dict(outputs)
        )

    if (
        decision.action is StackAction.UPDATE
        and observed is not None
        and not job.force
        and not job.revert_drift
        # a failed update may carry the new fingerprint without its resources
        and not observed.status.endswith("_FAILED")
        and already_deployed(observed.tags, tags)
    ):
        return result(WorkflowStatus.UNCHANGED, observed.outputs)
    if decision.action is StackAction.RECREATE:
        observer.phase(job.workflow, f"deleting the {status} stack before creating it again")
        stacks.delete_stack(job.stack)
        stacks.wait_stack(job.stack)
    job.publish()
    change_type = "UPDATE" if decision.action is StackAction.UPDATE else "CREATE"
    to_import = job.adopt() if change_type == "CREATE" and job.adopt is not None else None
    if to_import is not None:
        return result(WorkflowStatus.IMPORTED, _adopt(job, to_import, tags, stacks, observer, stop))
    final = _change_and_execute(job, change_type, tags, stacks, observer, stop)
    if final is None:
        unchanged = observed.outputs if observed else {}
        return result(WorkflowStatus.UNCHANGED, unchanged)
    return result(WorkflowStatus.DEPLOYED, final.outputs)


def _adopt(
    job: StackJob,
    to_import: ImportPlan,
    tags: Mapping[str, str],
    stacks: Stacks,
    observer: RunObserver,
    stop: Event,
) -> Mapping[str, str]:
    """IMPORT the existing resources, then deploy the whole template over them."""
    names = ", ".join(str(r["LogicalResourceId"]) for r in to_import.resources)
    observer.phase(job.workflow, f"importing existing {names}")
    # No fingerprint yet: should the follow-up deploy fail, the next run must not skip it.
    import_tags = {**tags, TAG: "import"}
    importing = StackJob(job.workflow, job.stack, to_import.body, job.parameters, job.tags)
    imported = _change_and_execute(
        importing, "IMPORT", import_tags, stacks, observer, stop, resources=to_import.resources
    )
    if imported is None or imported.status != "IMPORT_COMPLETE":
        raise OrchestratorError(f"{job.workflow}: the import did not complete")
    observer.phase(job.workflow, "imported; deploying the rest of the template")
    final = _change_and_execute(job, "UPDATE", tags, stacks, observer, stop)
    for correction in job.reassert(to_import) if job.reassert else []:
        observer.phase(job.workflow, f"corrected after the import: {correction}")
    return (final or imported).outputs


def _change_and_execute(
    job: StackJob,
    change_type: str,
    tags: Mapping[str, str],
    stacks: Stacks,
    observer: RunObserver,
    stop: Event,
    resources: Sequence[Mapping[str, object]] = (),
) -> StackSnapshot | None:
    """The final snapshot, or None when the change set found nothing to change."""
    observer.phase(job.workflow, f"creating {change_type} change set")
    # A fresh name per change set, as `sam deploy` does: a leftover of an interrupted run can
    # never collide with this one.
    name = f"{CHANGE_SET_PREFIX}-{change_type.lower()}-{uuid.uuid4().hex[:12]}"
    request = ChangeSetRequest(
        job.stack,
        name,
        change_type,
        job.body,
        job.parameters,
        tags,
        CAPABILITIES,
        resources,
        revert_drift=job.revert_drift and change_type == "UPDATE",
    )
    change_set = stacks.create_change_set(request)
    outcome = stacks.wait_change_set(change_set)
    if outcome.empty:
        stacks.delete_change_set(change_set)
        return None
    if outcome.status != "CREATE_COMPLETE":
        _discard(job, change_set, change_type, stacks)
        raise OrchestratorError(f"{job.workflow}: change set failed: {outcome.reason}")
    if stop.is_set():
        _discard(job, change_set, change_type, stacks)
        raise Interrupted(
            f"{job.workflow}: interrupted; the pending change set was "
            "deleted and nothing was changed"
        )
    observer.phase(job.workflow, f"executing {len(outcome.changes)} change(s)")
    # An IMPORT rolls back whatever is asked: what it adopted is only forgotten, never deleted.
    stacks.execute_change_set(change_set, job.disable_rollback and change_type != "IMPORT")
    final = stacks.wait_stack(job.stack, lambda event: observer.phase(job.workflow, event))
    if final.status not in _SUCCESS:
        failure = stacks.first_failure(job.stack)
        cause = failure.describe() if failure else (final.reason or "no failed resource event")
        raise OrchestratorError(
            f"{job.workflow}: stack {job.stack} ended {final.status}: {cause}"
            + _kept_note(job, final.status)
        )
    return final


def _guidance(job: StackJob, status: str | None, stacks: Stacks) -> str:
    """What to do about a stack only a person can move, naming the resources whose rollback
    failed when that is the reason."""
    failed = (
        [f.logical_id for f in stacks.rollback_failures(job.stack)]
        if status == "UPDATE_ROLLBACK_FAILED"
        else []
    )
    decision = decide(status, stack=job.stack, workflow=job.workflow, env=job.env, failed=failed)
    return decision.guidance


def _kept_note(job: StackJob, status: str) -> str:
    if status not in ("CREATE_FAILED", "UPDATE_FAILED"):
        return ""
    return (
        f" (kept as it is by --no-rollback: fix the template and deploy again, or run "
        f"'firefly rollback --env {job.env} --only {job.workflow}')"
    )


def _discard(job: StackJob, change_set: str, change_type: str, stacks: Stacks) -> None:
    """Leave no REVIEW_IN_PROGRESS ghost behind a change set that will not run."""
    stacks.delete_change_set(change_set)
    if change_type in ("CREATE", "IMPORT"):  # the stack exists only for this change set
        stacks.delete_stack(job.stack)
        stacks.wait_stack(job.stack)  # gone before firefly reports, not still DELETE_IN_PROGRESS
