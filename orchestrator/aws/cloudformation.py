"""CloudFormation for the engine: change sets, the shared poller, failures from events."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Sequence
from typing import Any, Protocol

from botocore.exceptions import ClientError

from orchestrator.aws.errors import (
    call,
    error_code,
    error_message,
    is_no_changes,
    is_not_found,
    translated,
)
from orchestrator.aws.poller import StackPoller
from orchestrator.aws.sweep import StatusSweep
from orchestrator.engine.ports import (
    ChangeSetOutcome,
    ChangeSetRequest,
    FailedResource,
    StackSnapshot,
)
from orchestrator.errors import OrchestratorError

SERVICE = "CloudFormation"  # the word error lines start with
# CloudFormation's limit for TemplateBody; larger templates must be passed as TemplateURL.
TEMPLATE_BODY_LIMIT = 51_200
STACK_TYPE = "AWS::CloudFormation::Stack"


class TemplateStore(Protocol):
    """Where a template too large for TemplateBody is put for CloudFormation to read."""

    def exists(self, key: str) -> bool: ...

    def upload(self, source: bytes, key: str) -> None: ...

    def url(self, key: str) -> str: ...


class CloudFormationStacks:
    """Implements `orchestrator.engine.ports.Stacks` over one boto3 CloudFormation client."""

    def __init__(
        self,
        client: Any,
        *,
        first_interval: float = 0.2,
        max_interval: float = 5.0,
        large_templates: TemplateStore | None = None,
        service_role: str | None = None,
    ) -> None:
        """`service_role`: the environment's `cloudformation_role`, sent as RoleARN on every
        change set, delete and rollback. CloudFormation then "uses the role's credentials to
        make calls on your behalf", and keeps using it for the stack's later operations
        (RoleARN of CreateChangeSet, DeleteStack, RollbackStack and ContinueUpdateRollback:
        docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html).
        Sending it on each call, rather than relying on the role a stack remembers, makes a
        stack first deployed without one move under it, and a delete or rollback never fall
        back to the caller's own rights."""
        self._client = client
        self._role: dict[str, str] = {"RoleARN": service_role} if service_role else {}
        self._large_templates = large_templates
        # One sweep for the run's status sweep and the poller: both learn what a sweep costs.
        self.sweep = StatusSweep(client)
        self.poller = StackPoller(
            client, first_interval=first_interval, max_interval=max_interval, sweep=self.sweep
        )
        self._stack_of: dict[str, str] = {}  # by change-set id: the stack it was made for

    def prioritise(self, awaited: Collection[str]) -> None:
        self.poller.prioritise(awaited)

    def snapshot(self, names: Sequence[str]) -> dict[str, StackSnapshot]:
        found: dict[str, StackSnapshot] = call(self.sweep.describe, names, service=SERVICE)
        return found

    def create_change_set(self, request: ChangeSetRequest) -> str:
        arguments: dict[str, Any] = {
            "StackName": request.stack,
            "ChangeSetName": request.name,
            "ChangeSetType": request.change_set_type,
            **self._template(request.template_body),
            "Parameters": [
                {"ParameterKey": k, "ParameterValue": v} for k, v in request.parameters.items()
            ],
            "Tags": [{"Key": k, "Value": v} for k, v in request.tags.items()],
            "Capabilities": list(request.capabilities),
            **self._role,
        }
        if request.resources_to_import:
            arguments["ResourcesToImport"] = list(request.resources_to_import)
        if request.revert_drift:  # a drift-aware change set ("Using drift-aware change sets")
            arguments["DeploymentMode"] = "REVERT_DRIFT"
        try:
            response = self._client.create_change_set(**arguments)
        except ClientError as error:
            # The name is this request's own: when an attempt that failed on the wire had in
            # fact created it, the retry meets it. Carry on with that change set. (The same
            # code for an existing stack, with no such change set, is a real refusal.)
            existing = (
                self._own_change_set(request)
                if error_code(error) == "AlreadyExistsException"
                else None
            )
            if existing is None:
                raise translated(error, SERVICE) from None
            self._stack_of[existing] = request.stack
            return existing
        self._stack_of[str(response["Id"])] = request.stack
        return str(response["Id"])

    def _own_change_set(self, request: ChangeSetRequest) -> str | None:
        try:
            described = self._client.describe_change_set(
                ChangeSetName=request.name, StackName=request.stack
            )
        except ClientError:
            return None
        return str(described["ChangeSetId"])

    def _template(self, body: str) -> dict[str, str]:
        """TemplateBody, or TemplateURL for a body over CloudFormation's limit, as `sam deploy`
        uploads large templates to its artifact bucket."""
        data = body.encode("utf-8")
        if len(data) <= TEMPLATE_BODY_LIMIT:
            return {"TemplateBody": body}
        if self._large_templates is None:
            raise OrchestratorError(
                f"the template is {len(data)} bytes, over CloudFormation's "
                f"{TEMPLATE_BODY_LIMIT}; it needs an artifact bucket"
            )
        key = f"templates/{hashlib.sha256(data).hexdigest()}.template"
        if not self._large_templates.exists(key):
            self._large_templates.upload(data, key)
        return {"TemplateURL": self._large_templates.url(key)}

    def wait_change_set(self, change_set_id: str) -> ChangeSetOutcome:
        """Until the change set is created (or failed), looked at by the shared poller; a
        throttled or failed look is only a reason to look again later."""
        try:
            described = self.poller.wait_change_set(
                change_set_id, self._stack_of.get(change_set_id, "")
            )
        except ClientError as error:
            raise translated(error, SERVICE) from None
        status = str(described.get("Status", ""))
        reason = str(described.get("StatusReason", ""))
        changes = [_change(c) for c in described.get("Changes", [])]
        empty = status == "FAILED" and is_no_changes(reason)
        return ChangeSetOutcome(status=status, reason=reason, changes=changes, empty=empty)

    def delete_change_set(self, change_set_id: str) -> None:
        try:
            self._client.delete_change_set(ChangeSetName=change_set_id)
        except ClientError as error:
            if not is_not_found(error):
                raise translated(error, SERVICE) from None

    def execute_change_set(self, change_set_id: str, disable_rollback: bool = False) -> None:
        # DisableRollback: a failure leaves CREATE_FAILED/UPDATE_FAILED with what was made
        # (ExecuteChangeSet, CloudFormation API Reference)
        keep = {"DisableRollback": True} if disable_rollback else {}
        try:
            self._client.execute_change_set(ChangeSetName=change_set_id, **keep)
        except ClientError as error:
            # A retry of an execution that went through on the wire finds it running.
            if not (error_code(error) == "InvalidChangeSetStatus" and _executing(error)):
                raise translated(error, SERVICE) from None

    def wait_stack(
        self, stack: str, on_event: Callable[[str], None] | None = None
    ) -> StackSnapshot:
        return self.poller.wait(stack, on_event)

    def delete_stack(self, stack: str) -> None:
        call(self._client.delete_stack, service=SERVICE, StackName=stack, **self._role)

    def first_failure(self, stack: str) -> FailedResource | None:
        """The earliest failed resource since the latest user-initiated operation."""
        failures = _failures(self._events_since(stack, _starts_operation))
        return failures[0] if failures else None

    def rollback_failures(self, stack: str) -> list[FailedResource]:
        """The resources that failed since the latest rollback began, once each."""
        events = self._events_since(stack, _starts_rollback)
        # the stack's own UPDATE_ROLLBACK_FAILED only sums up its resources'
        failures = [f for f in _failures(events) if f.resource_type != STACK_TYPE]
        return list({f.logical_id: f for f in failures}.values())  # the latest of each

    def rollback_stack(self, stack: str) -> None:
        """RollbackStack: from CREATE_FAILED or UPDATE_FAILED to the last stable state."""
        call(self._client.rollback_stack, service=SERVICE, StackName=stack, **self._role)

    def continue_update_rollback(self, stack: str, skip: Sequence[str] = ()) -> None:
        """ContinueUpdateRollback: `skip` (ResourcesToSkip) must be resources whose rollback
        failed; CloudFormation marks them UPDATE_COMPLETE as they are."""
        call(
            self._client.continue_update_rollback,
            service=SERVICE,
            StackName=stack,
            ResourcesToSkip=list(skip),
            **self._role,
        )

    def _events_since(
        self, stack: str, starts: Callable[[dict[str, Any], str], bool]
    ) -> list[dict[str, Any]]:
        """The stack's events back to the latest one `starts` matches, oldest first."""
        events: list[dict[str, Any]] = []
        for page in self._client.get_paginator("describe_stack_events").paginate(StackName=stack):
            for event in page["StackEvents"]:  # newest first
                events.append(event)
                if starts(event, stack):
                    return events[::-1]
        return events[::-1]


def _executing(error: ClientError) -> bool:
    message = error_message(error)
    return "EXECUTE_IN_PROGRESS" in message or "EXECUTE_COMPLETE" in message


def _change(change: dict[str, Any]) -> dict[str, str]:
    resource = change.get("ResourceChange", {})
    return {
        "action": str(resource.get("Action", "")),
        "logical_id": str(resource.get("LogicalResourceId", "")),
        "type": str(resource.get("ResourceType", "")),
        "replacement": str(resource.get("Replacement", "")),
    }


def _starts_operation(event: dict[str, Any], stack: str) -> bool:
    return (
        event.get("LogicalResourceId") == stack
        and str(event.get("ResourceStatus", "")).endswith("_IN_PROGRESS")
        and event.get("ResourceStatusReason") == "User Initiated"
    )


def _starts_rollback(event: dict[str, Any], stack: str) -> bool:
    return event.get("LogicalResourceId") == stack and event.get("ResourceStatus") in (
        "ROLLBACK_IN_PROGRESS",
        "UPDATE_ROLLBACK_IN_PROGRESS",
    )


def _failures(events: list[dict[str, Any]]) -> list[FailedResource]:
    """The failed resources of `events` (oldest first), in order."""
    failures = []
    for event in events:
        status = str(event.get("ResourceStatus", ""))
        reason = str(event.get("ResourceStatusReason", ""))
        # Cancelled siblings fail too, with this reason; they are not the cause.
        if status.endswith("_FAILED") and "cancelled" not in reason.lower():
            failures.append(
                FailedResource(
                    str(event.get("LogicalResourceId", "")),
                    str(event.get("ResourceType", "")),
                    status,
                    reason,
                )
            )
    return failures
