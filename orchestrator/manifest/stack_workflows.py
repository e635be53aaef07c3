"""Commands that act on a stack name a workflow; a tests workflow has none, and says so."""

from __future__ import annotations

from orchestrator.errors import UsageError
from orchestrator.manifest.models import Manifest, Workflow
from orchestrator.manifest.reader import did_you_mean


def require_stack_workflow(
    manifest: Manifest, name: str, *, named_by: str, missing: str
) -> Workflow:
    """The workflow `name`, which must own a stack; `named_by` is how the user named it
    ('--only x', 'x'), and `missing` what the command wanted (' to delete', ' and no outputs')."""
    workflow = manifest.workflows.get(name)
    if workflow is None:
        stacks = [n for n, w in manifest.workflows.items() if w.has_stack]
        raise UsageError(
            f"{named_by}: no stack workflow of that name{did_you_mean(name, stacks)}; "
            "see 'firefly graph'"
        )
    if not workflow.has_stack:
        raise UsageError(
            f"{named_by}: a {workflow.type.value} workflow, which has no stack"
            f"{missing}; see 'firefly graph'"
        )
    return workflow
