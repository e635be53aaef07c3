"""The CloudFormation API actions, answered by firefly's stack engine through moto's server.

`install()` replaces the stack and change-set actions of moto's `CloudFormationResponse`; moto's
request parsing, error serialization and its other actions (stack sets, validate_template) stay.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult, EmptyResult

from orchestrator.sandbox.cloudformation import change_set_api, drift_api, rollback_api, stack_api
from orchestrator.sandbox.cloudformation import render as r

Action = Callable[[Any], ActionResult]


def _request(response: Any) -> dict[str, Any]:
    return dict(response.params or {})


def _where(response: Any) -> tuple[str, str]:
    return str(response.current_account), str(response.region)


def create_stack(self: Any) -> ActionResult:
    return ActionResult({"StackId": stack_api.create_stack(*_where(self), _request(self))})


def update_stack(self: Any) -> ActionResult:
    return ActionResult({"StackId": stack_api.update_stack(*_where(self), _request(self))})


def delete_stack(self: Any) -> ActionResult:
    stack_api.delete_stack(*_where(self), _request(self))
    return EmptyResult()


def rollback_stack(self: Any) -> ActionResult:
    return ActionResult({"StackId": rollback_api.rollback_stack(*_where(self), _request(self))})


def continue_update_rollback(self: Any) -> ActionResult:
    rollback_api.continue_update_rollback(*_where(self), _request(self))
    return EmptyResult()


def describe_stacks(self: Any) -> ActionResult:
    stacks = stack_api.describe_stacks(*_where(self), self._get_param("StackName"))
    return ActionResult({"Stacks": [r.stack(s) for s in stacks]})


def list_stacks(self: Any) -> ActionResult:
    stacks = stack_api.list_stacks(*_where(self), self._get_param("StackStatusFilter") or [])
    return ActionResult({"StackSummaries": [r.stack_summary(s) for s in stacks]})


def describe_stack_events(self: Any) -> ActionResult:
    stack = stack_api.describe_stacks(*_where(self), self._get_param("StackName"))[0]
    return ActionResult({"StackEvents": [r.event(e) for e in reversed(stack.visible_events())]})


def describe_stack_resource(self: Any) -> ActionResult:
    stack = stack_api.describe_stacks(*_where(self), self._get_param("StackName"))[0]
    logical_id = self._get_param("LogicalResourceId")
    resource = stack.resources.get(logical_id)
    if resource is None:
        from orchestrator.sandbox.cloudformation import errors

        raise errors.validation(f"Resource {logical_id} does not exist for stack {stack.name}")
    return ActionResult({"StackResourceDetail": r.resource(stack, resource)})


def describe_stack_resources(self: Any) -> ActionResult:
    physical_id = self._get_param("PhysicalResourceId")
    if physical_id and not self._get_param("StackName"):
        # AWS: the resources of the live stack that owns this physical resource; a resource
        # no stack owns is a ValidationError ("Stack for <id> does not exist").
        stack = _owner_of(self, physical_id)
    else:
        stack = stack_api.describe_stacks(*_where(self), self._get_param("StackName"))[0]
    wanted = self._get_param("LogicalResourceId")
    found = [
        r.resource(stack, x) for x in stack.resources.values() if wanted in (None, x.logical_id)
    ]
    return ActionResult({"StackResources": found})


def _owner_of(self: Any, physical_id: str) -> Any:
    from orchestrator.sandbox.cloudformation import errors

    for stack in stack_api.describe_stacks(*_where(self), None):
        if any(x.physical_id == physical_id for x in stack.resources.values()):
            return stack
    raise errors.validation(f"Stack for {physical_id} does not exist")


def list_stack_resources(self: Any) -> ActionResult:
    stack = stack_api.describe_stacks(*_where(self), self._get_param("StackName"))[0]
    return ActionResult(
        {"StackResourceSummaries": [r.resource_summary(x) for x in stack.resources.values()]}
    )


def get_template(self: Any) -> ActionResult:
    body = stack_api.get_template(*_where(self), _request(self))
    return ActionResult({"TemplateBody": body, "StagesAvailable": ["Original", "Processed"]})


def list_exports(self: Any) -> ActionResult:
    return ActionResult({"Exports": r.exports(*_where(self))})


def update_termination_protection(self: Any) -> ActionResult:
    enabled = str(self._get_param("EnableTerminationProtection")).lower() == "true"
    stack_id = stack_api.set_termination_protection(
        *_where(self), self._get_param("StackName"), enabled
    )
    return ActionResult({"StackId": stack_id})


def get_stack_policy(self: Any) -> ActionResult:
    return ActionResult(
        {"StackPolicyBody": stack_api.stack_policy(*_where(self), self._get_param("StackName"))}
    )


def set_stack_policy(self: Any) -> ActionResult:
    body = self._get_param("StackPolicyBody")
    if self._get_param("StackPolicyURL"):
        from orchestrator.sandbox.cloudformation.intake import template_body

        body = template_body(
            {"TemplateURL": self._get_param("StackPolicyURL")}, self.current_account, None
        )
    stack_api.stack_policy(*_where(self), self._get_param("StackName"), body or "")
    return EmptyResult()


def create_change_set(self: Any) -> ActionResult:
    change_set = change_set_api.create_change_set(*_where(self), _request(self))
    return ActionResult({"Id": change_set.change_set_id, "StackId": change_set.stack_id})


def describe_change_set(self: Any) -> ActionResult:
    change_set = change_set_api.describe_change_set(
        *_where(self), self._get_param("StackName"), self._get_param("ChangeSetName")
    )
    return ActionResult(r.change_set(change_set))


def execute_change_set(self: Any) -> ActionResult:
    change_set_api.execute_change_set(*_where(self), _request(self))
    return EmptyResult()


def delete_change_set(self: Any) -> ActionResult:
    change_set_api.delete_change_set(
        *_where(self), self._get_param("StackName"), self._get_param("ChangeSetName")
    )
    return EmptyResult()


def list_change_sets(self: Any) -> ActionResult:
    change_sets = change_set_api.list_change_sets(*_where(self), self._get_param("StackName"))
    return ActionResult({"Summaries": [r.change_set_summary(c) for c in change_sets]})


def detect_stack_drift(self: Any) -> ActionResult:
    detection_id = drift_api.detect_stack_drift(*_where(self), _request(self))
    return ActionResult({"StackDriftDetectionId": detection_id})


def describe_stack_drift_detection_status(self: Any) -> ActionResult:
    detection_id = self._get_param("StackDriftDetectionId")
    return ActionResult(drift_api.detection_status(*_where(self), detection_id))


def describe_stack_resource_drifts(self: Any) -> ActionResult:
    drifts = drift_api.resource_drifts(*_where(self), _request(self))
    return ActionResult({"StackResourceDrifts": drifts})


def detect_stack_resource_drift(self: Any) -> ActionResult:
    drift = drift_api.detect_resource_drift(*_where(self), _request(self))
    return ActionResult({"StackResourceDrift": drift})


def get_template_summary(self: Any) -> ActionResult:
    return ActionResult(r.template_summary(*_where(self), _request(self)))


ACTIONS: dict[str, Action] = {
    "create_stack": create_stack,
    "update_stack": update_stack,
    "delete_stack": delete_stack,
    "rollback_stack": rollback_stack,
    "continue_update_rollback": continue_update_rollback,
    "describe_stacks": describe_stacks,
    "list_stacks": list_stacks,
    "describe_stack_events": describe_stack_events,
    "describe_stack_resource": describe_stack_resource,
    "describe_stack_resources": describe_stack_resources,
    "list_stack_resources": list_stack_resources,
    "get_template": get_template,
    "list_exports": list_exports,
    "update_termination_protection": update_termination_protection,
    "create_change_set": create_change_set,
    "describe_change_set": describe_change_set,
    "execute_change_set": execute_change_set,
    "delete_change_set": delete_change_set,
    "list_change_sets": list_change_sets,
    "get_template_summary": get_template_summary,
    "detect_stack_drift": detect_stack_drift,
    "describe_stack_drift_detection_status": describe_stack_drift_detection_status,
    "describe_stack_resource_drifts": describe_stack_resource_drifts,
    "detect_stack_resource_drift": detect_stack_resource_drift,
}


def install() -> None:
    """Answer the stack and change-set actions with firefly's engine (idempotent)."""
    for name, action in ACTIONS.items():
        setattr(CloudFormationResponse, name, action)
    # moto reshapes its own objects on the way out (tag dicts to lists); ours are already shaped
    transformers = CloudFormationResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER
    CloudFormationResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER = {
        key: value
        for key, value in transformers.items()
        if not key.startswith(("DescribeChangeSetOutput", "DescribeStacksOutput"))
    }
