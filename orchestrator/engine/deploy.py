"""`firefly deploy`: every selected workflow, in graph order, as a ready-queue."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from threading import Event

from orchestrator.engine.adopt import ImportPlan, plan_import, reassert_imported
from orchestrator.engine.fingerprint import stack_tags
from orchestrator.engine.parameters import ParameterResolver, secret_parameters
from orchestrator.engine.ports import (
    Adoptions,
    RunObserver,
    Stacks,
    StackSnapshot,
    Templates,
    TestRunner,
)
from orchestrator.engine.redaction import environment_redactor
from orchestrator.engine.results import RunResult, WorkflowResult, WorkflowStatus
from orchestrator.engine.scheduler import run_graph, run_result, status_of
from orchestrator.engine.stack_deploy import StackJob, deploy_stack
from orchestrator.errors import OrchestratorError, UsageError
from orchestrator.graph import WorkflowGraph, deploy_graph
from orchestrator.manifest import environment
from orchestrator.manifest.models import Manifest, Workflow


@dataclass(frozen=True)
class DeployRequest:
    env: str
    only: tuple[str, ...] = ()
    with_prerequisites: bool = True
    concurrency: int = 8
    force: bool = False
    disable_rollback: bool = False  # --no-rollback
    revert_drift: bool = False  # --revert-drift


@dataclass(frozen=True)
class DeployServices:
    stacks: Stacks
    templates: Templates
    tests: TestRunner | None = None
    environ: Mapping[str, str] = field(default_factory=dict)
    adoptions: Adoptions | None = None


def selected_graph(manifest: Manifest, request: DeployRequest) -> WorkflowGraph:
    graph = deploy_graph(manifest)
    if not request.only:
        return graph
    return graph.select(request.only, with_prerequisites=request.with_prerequisites)


def check_request(manifest: Manifest, request: DeployRequest) -> None:
    """Refuse, before any AWS call, what the environment does not allow."""
    env = environment(manifest, request.env)
    if request.disable_rollback and env.protected:
        raise UsageError(
            f"--no-rollback is refused on environment {env.name}: it is protected in the "
            "manifest, where a failed deploy must roll back; deploy without --no-rollback"
        )


def deploy(
    manifest: Manifest,
    request: DeployRequest,
    services: DeployServices,
    observer: RunObserver,
    stop: Event | None = None,
) -> RunResult:
    env = environment(manifest, request.env)
    graph = selected_graph(manifest, request)
    stack_of = {name: manifest.stack_name(name, env.name) for name in manifest.workflows}
    # The one status sweep of the run: statuses, tags (fingerprints) and outputs at once.
    observed = services.stacks.snapshot(
        sorted(stack_of[w] for w in _stacks_to_observe(manifest, graph))
    )
    resolver = ParameterResolver(
        manifest,
        env,
        services.environ,
        lookup=lambda stack: _outputs(services.stacks, observed, stack),
    )
    redact = environment_redactor(manifest, env.name, services.environ)
    # A stack whose end starts other work is where a late look costs the run's wall time.
    services.stacks.prioritise(
        {
            stack_of[w]
            for w in graph.nodes
            if graph.dependents(w) and manifest.workflows[w].has_stack
        }
    )

    def work(name: str) -> WorkflowResult:
        workflow = manifest.workflows[name]
        started = time.monotonic()
        try:
            if not workflow.has_stack:
                return _run_tests(name, services.tests, observer, stop_event)
            observer.phase(name, "resolving parameters")
            parameters = resolver.resolve(workflow)
            observer.phase(name, "packaging" if workflow.type.value == "sam" else "templating")
            body = services.templates.body(name, workflow.template or "")
            current = observed.get(stack_of[name])
            job = StackJob(
                name,
                stack_of[name],
                body,
                parameters,
                stack_tags(manifest.project, env.name, name),
                force=request.force,
                secret_parameters=secret_parameters(workflow),
                adopt=_adoption(workflow, stack_of[name], services),
                reassert=_reassertion(services),
                publish=lambda: services.templates.publish(name),
                env=env.name,
                disable_rollback=request.disable_rollback,
                revert_drift=request.revert_drift,
            )
            result = deploy_stack(job, current, services.stacks, observer, stop_event)
        except OrchestratorError as error:
            if error.aborts_run:
                raise  # the scheduler stops the run on it
            message, status = "; ".join(error.lines()), status_of(error)
        except Exception as error:  # a bug: still this workflow's failure, with no secret in it
            message, status = (
                f"internal error: {type(error).__name__}: {error}",
                WorkflowStatus.FAILED,
            )
        else:
            resolver.remember_outputs(name, result.outputs)
            return result
        stack = stack_of[name] if workflow.has_stack else None
        return WorkflowResult(
            name, status, stack, time.monotonic() - started, error=redact(message)
        )

    stop_event = stop or Event()
    schedule = run_graph(
        graph, work, concurrency=request.concurrency, observer=observer, stop=stop_event
    )
    return run_result(env.name, "deploy", schedule)


def _adoption(
    workflow: Workflow, stack: str, services: DeployServices
) -> Callable[[], ImportPlan | None] | None:
    """Seed 001's choice of path, for a workflow that may adopt: the stack deploy asks it once it
    knows the stack must be created (none, DELETE_COMPLETE, or a dead one just deleted), so the
    resources a failed first create left behind are imported instead of colliding."""
    adoptions = services.adoptions
    if not workflow.adopt or adoptions is None:
        return None
    return lambda: plan_import(workflow, stack, adoptions)


def _reassertion(services: DeployServices) -> Callable[[ImportPlan], list[str]] | None:
    adoptions = services.adoptions
    if adoptions is None:
        return None
    return lambda plan: reassert_imported(plan, adoptions)


def _stacks_to_observe(manifest: Manifest, graph: WorkflowGraph) -> set[str]:
    """The selected stacks and every stack whose outputs they read."""
    names = {w for w in graph.nodes if manifest.workflows[w].has_stack}
    for name in graph.nodes:
        names |= {ref.workflow for _, ref in manifest.workflows[name].output_refs()}
    return names


def _outputs(
    stacks: Stacks, observed: dict[str, StackSnapshot], stack: str
) -> Mapping[str, str] | None:
    snapshot = observed.get(stack)
    if snapshot is None or snapshot.status.endswith("_IN_PROGRESS"):
        snapshot = stacks.snapshot([stack]).get(stack)
    return snapshot.outputs if snapshot is not None else None


def _run_tests(
    name: str, tests: TestRunner | None, observer: RunObserver, stop: Event
) -> WorkflowResult:
    if tests is None:
        raise OrchestratorError(f"{name}: no test runner is configured for this environment")
    started = time.monotonic()
    observer.phase(name, "running the integration suite")
    summary = tests.run(name, stop)
    observer.phase(name, summary)
    return WorkflowResult(name, WorkflowStatus.PASSED, seconds=time.monotonic() - started)
