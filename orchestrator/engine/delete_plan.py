"""The preflight of `firefly delete`: what goes, in which order, what stays, what blocks.

Nothing is deleted before this plan is shown; a blocker stops the whole delete unless the
user chose the flag that resolves it (only deletion protection has one: it must be a decision).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestrator.engine.ports import COUNT_LIMIT, Inventory, StackResource, Stacks
from orchestrator.graph import WorkflowGraph, delete_graph
from orchestrator.manifest import environment
from orchestrator.manifest.models import Manifest
from orchestrator.manifest.stack_workflows import require_stack_workflow


@dataclass(frozen=True)
class DeleteRequest:
    env: str
    only: tuple[str, ...] = ()
    with_prerequisites: bool = True
    concurrency: int = 8
    disable_deletion_protection: bool = False
    empty_buckets: bool = False


@dataclass(frozen=True)
class StoredData:
    """Data the delete would destroy: a bucket's objects or a table's items."""

    workflow: str
    resource: StackResource
    count: int

    @property
    def is_bucket(self) -> bool:
        return self.resource.resource_type == "AWS::S3::Bucket"

    def describe(self) -> str:
        count = f"{self.count}+" if self.count >= COUNT_LIMIT else str(self.count)
        if self.is_bucket:
            return f"bucket {self.resource.physical_id} holds {count} object version(s)"
        # DynamoDB's item count is refreshed about every six hours
        return f"table {self.resource.physical_id} holds about {count} item(s)"


@dataclass(frozen=True)
class Blocker:
    workflow: str
    message: str


@dataclass(frozen=True)
class DeletePlan:
    graph: WorkflowGraph
    stacks: dict[str, str]  # workflow -> stack name, for the selection
    existing: set[str]  # workflows whose stack exists
    retained: dict[str, list[StackResource]] = field(default_factory=dict)
    protected_tables: dict[str, list[str]] = field(default_factory=dict)  # to disable
    blockers: list[Blocker] = field(default_factory=list)
    artifacts: dict[str, set[str]] = field(default_factory=dict)  # only this stack's keys
    data: list[StoredData] = field(default_factory=list)  # what the delete destroys
    buckets_to_empty: dict[str, list[str]] = field(default_factory=dict)  # as the user chose

    @property
    def levels(self) -> list[list[str]]:
        return self.graph.levels()


def selected_delete_graph(manifest: Manifest, request: DeleteRequest) -> WorkflowGraph:
    graph = delete_graph(manifest)
    if not request.only:
        return graph
    for name in request.only:
        if name in manifest.workflows:
            require_stack_workflow(manifest, name, named_by=f"--only {name}", missing=" to delete")
    return graph.select(request.only, with_prerequisites=request.with_prerequisites)


def plan_delete(
    manifest: Manifest, request: DeleteRequest, stacks: Stacks, inventory: Inventory
) -> DeletePlan:
    env = environment(manifest, request.env)
    full = delete_graph(manifest)
    graph = selected_delete_graph(manifest, request)
    all_stacks = {w: manifest.stack_name(w, env.name) for w in full.nodes}
    observed = stacks.snapshot(sorted(all_stacks.values()))
    existing = {w for w, s in all_stacks.items() if s in observed}
    selected = {w: all_stacks[w] for w in graph.order()}
    plan = DeletePlan(graph, selected, existing & set(selected))
    deleting = {selected[w] for w in plan.existing}
    for workflow in graph.order():
        if workflow in plan.existing:
            _inspect(plan, workflow, inventory, deleting, request)
            _stored_data(plan, workflow, inventory, request, protected=env.protected)
    _unselected_first(plan, full, existing)
    _shared_artifacts(plan, inventory, {all_stacks[w] for w in existing - set(selected)})
    return plan


def _inspect(
    plan: DeletePlan,
    workflow: str,
    inventory: Inventory,
    deleting: set[str],
    request: DeleteRequest,
) -> None:
    stack = plan.stacks[workflow]
    plan.retained[workflow] = inventory.retained(stack)
    # A retained table outlives the stack's delete (CloudFormation skips a Retain resource), so
    # its protection neither blocks the delete nor is ever turned off by it.
    kept = {resource.physical_id for resource in plan.retained[workflow]}
    tables = [t for t in inventory.deletion_protected_tables(stack) if t not in kept]
    if tables and request.disable_deletion_protection:
        plan.protected_tables[workflow] = tables  # to disable, as the user chose
    elif tables:
        plan.blockers.append(
            Blocker(
                workflow,
                (
                    f"table {', '.join(tables)} has deletion protection enabled; disable it in the "
                    "DynamoDB console, or pass --disable-deletion-protection to let firefly do it"
                ),
            )
        )
    if inventory.termination_protected(stack):
        plan.blockers.append(
            Blocker(
                workflow,
                (
                    f"stack {stack} has termination protection; disable it with "
                    "'aws cloudformation update-termination-protection "
                    f"--no-enable-termination-protection --stack-name {stack}'"
                ),
            )
        )
    for export, importers in inventory.foreign_importers(stack, deleting).items():
        plan.blockers.append(
            Blocker(
                workflow,
                (
                    f"export {export} is still imported by {', '.join(importers)}, which this "
                    "delete does not remove; delete those first or include them"
                ),
            )
        )
    plan.artifacts[workflow] = inventory.artifact_keys(stack)


def _stored_data(
    plan: DeletePlan,
    workflow: str,
    inventory: Inventory,
    request: DeleteRequest,
    *,
    protected: bool,
) -> None:
    """List the data the stack's delete destroys. S3 refuses to delete a bucket that holds
    anything, so a filled bucket blocks unless the user chose to empty it (never on a protected
    environment); a Delete-policy table goes with its items, which the plan shows."""
    kept = {resource.logical_id for resource in plan.retained[workflow]}
    for resource in inventory.resources(plan.stacks[workflow]):
        count = None if resource.logical_id in kept else inventory.stored_count(resource)
        if not count:
            continue
        stored = StoredData(workflow, resource, count)
        plan.data.append(stored)
        if not stored.is_bucket:
            continue
        if request.empty_buckets and not protected:
            plan.buckets_to_empty.setdefault(workflow, []).append(resource.physical_id)
            continue
        remedy = (
            "empty it yourself: --empty-buckets is refused on a protected environment"
            if protected
            else "empty it first, or pass --empty-buckets to let firefly do it"
        )
        plan.blockers.append(Blocker(workflow, f"{stored.describe()}; {remedy}"))


def _unselected_first(plan: DeletePlan, full: WorkflowGraph, existing: set[str]) -> None:
    """With --no-deps: a stack whose delete prerequisites are neither selected nor gone."""
    for workflow in plan.graph.order():
        if workflow not in plan.existing:
            continue
        for before, reason in full.prerequisites(workflow).items():
            if before in existing and before not in plan.stacks:
                plan.blockers.append(
                    Blocker(
                        workflow,
                        (
                            f"{before} must be deleted first ({reason}); "
                            "drop --no-deps or delete it first"
                        ),
                    )
                )


def _shared_artifacts(plan: DeletePlan, inventory: Inventory, kept_stacks: set[str]) -> None:
    """Content-hash keys are shared by stacks with the same code: keep what others still use."""
    in_use: set[str] = set()
    for stack in kept_stacks:
        in_use |= inventory.artifact_keys(stack)
    for workflow in plan.artifacts:
        plan.artifacts[workflow] = plan.artifacts[workflow] - in_use
