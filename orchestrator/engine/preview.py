"""`firefly plan`: what a deploy would do, stack by stack, changing nothing.

Each stack gets a change set that is described and then deleted (with the placeholder stack a
CREATE change set makes, so no REVIEW_IN_PROGRESS ghost stays behind). Parameters that read an
upstream stack which does not exist yet cannot be known: those stacks say so instead of
guessing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime

from orchestrator.engine.deploy import DeployRequest, DeployServices, selected_graph
from orchestrator.engine.fingerprint import already_deployed, stack_tags, stamped
from orchestrator.engine.parameters import ParameterResolver, secret_parameters
from orchestrator.engine.ports import ChangeSetRequest, StackSnapshot
from orchestrator.engine.redaction import environment_redactor
from orchestrator.engine.stack_deploy import CAPABILITIES
from orchestrator.engine.stack_plan import StackAction, decide
from orchestrator.errors import OrchestratorError
from orchestrator.manifest import environment
from orchestrator.manifest.models import Manifest

PREVIEW_CHANGE_SET = "firefly-plan"


@dataclass(frozen=True)
class PlannedWorkflow:
    workflow: str
    action: str  # create, update, unchanged, recreate, wait, fail, run tests, unknown
    stack: str | None = None
    changes: Sequence[Mapping[str, str]] = field(default_factory=list)
    note: str = ""
    # the stack's last drift detection (DriftInformation, from the same sweep: no extra call)
    drift_status: str = ""
    drift_checked: datetime | None = None


@dataclass(frozen=True)
class DeployPreview:
    env: str
    levels: list[list[str]]
    workflows: dict[str, PlannedWorkflow]


def preview(manifest: Manifest, request: DeployRequest, services: DeployServices) -> DeployPreview:
    env = environment(manifest, request.env)
    graph = selected_graph(manifest, request)
    stack_of = {name: manifest.stack_name(name, env.name) for name in manifest.workflows}
    observed = services.stacks.snapshot(sorted(stack_of.values()))
    resolver = ParameterResolver(
        manifest,
        env,
        services.environ,
        lookup=lambda s: observed[s].outputs if s in observed else None,
    )
    redact = environment_redactor(manifest, env.name, services.environ)

    def one(name: str) -> PlannedWorkflow:
        workflow = manifest.workflows[name]
        if not workflow.has_stack:
            return PlannedWorkflow(name, "run tests")
        stack = stack_of[name]
        current = observed.get(stack)
        decision = decide(
            current.status if current else None, has_resources=False, stack=stack, workflow=name
        )
        if decision.action is not StackAction.UPDATE:
            note = decision.guidance or "a new stack: every resource is added"
            return PlannedWorkflow(name, decision.action.value, stack, note=note)
        upstream = sorted(
            {
                ref.workflow
                for _, ref in workflow.output_refs()
                if stack_of[ref.workflow] not in observed
            }
        )
        if upstream:
            return PlannedWorkflow(
                name,
                "update",
                stack,
                note=f"parameters known after {', '.join(upstream)} is deployed",
            )
        try:
            parameters = resolver.resolve(workflow)
            body = services.templates.body(name, workflow.template or "")
            job_tags = stamped(
                stack_tags(manifest.project, env.name, name),
                body,
                parameters,
                secret_parameters(workflow),
            )
            return _stack_preview(
                name, stack, body, parameters, job_tags, current, services, request
            )
        except OrchestratorError as error:
            return PlannedWorkflow(name, "fail", stack, note=redact(error.lines()[0]))

    with ThreadPoolExecutor(max_workers=request.concurrency) as pool:
        planned = dict(zip(graph.order(), pool.map(one, graph.order()), strict=True))
    planned = {name: _with_drift(p, observed) for name, p in planned.items()}
    return DeployPreview(env.name, graph.levels(), planned)


def _with_drift(planned: PlannedWorkflow, observed: Mapping[str, StackSnapshot]) -> PlannedWorkflow:
    current = observed.get(planned.stack or "")
    if current is None:
        return planned
    return replace(planned, drift_status=current.drift_status, drift_checked=current.drift_checked)


def _stack_preview(
    name: str,
    stack: str,
    body: str,
    parameters: Mapping[str, str],
    stamped_tags: Mapping[str, str],
    current: StackSnapshot | None,
    services: DeployServices,
    request: DeployRequest,
) -> PlannedWorkflow:
    fresh_look = request.force or request.revert_drift
    if current is not None and not fresh_look and already_deployed(current.tags, stamped_tags):
        return PlannedWorkflow(name, "unchanged", stack)
    services.templates.publish(name)  # the change set's template points at these artifacts
    stacks = services.stacks
    change_set = stacks.create_change_set(
        ChangeSetRequest(
            stack,
            PREVIEW_CHANGE_SET,
            "UPDATE",
            body,
            parameters,
            stamped_tags,
            CAPABILITIES,
            revert_drift=request.revert_drift and current is not None,
        )
    )
    try:
        outcome = stacks.wait_change_set(change_set)
    finally:
        stacks.delete_change_set(change_set)
    if outcome.empty:
        return PlannedWorkflow(name, "unchanged", stack)
    if outcome.status != "CREATE_COMPLETE":
        return PlannedWorkflow(name, "fail", stack, note=outcome.reason)
    return PlannedWorkflow(name, "update", stack, outcome.changes)
