"""Readers of compute: Lambda functions and their permissions, Step Functions state machines."""

from __future__ import annotations

from typing import Any

from orchestrator.sandbox.cloudformation.drift_readers.shapes import Properties, document

PERMISSION = ("Action", "Principal", "SourceArn", "SourceAccount")


def _function(account_id: str, region: str, name: str) -> Any:
    from moto.awslambda.exceptions import UnknownFunctionException
    from moto.awslambda.models import lambda_backends

    try:
        return lambda_backends[account_id][region].get_function(name)
    except UnknownFunctionException:
        return None


def lambda_function(
    account_id: str, region: str, name: str, properties: Properties
) -> Properties | None:
    function = _function(account_id, region, name)
    if function is None:
        return None
    variables = function.environment_vars
    return {
        "FunctionName": function.function_name,
        "Timeout": function.timeout,
        "MemorySize": function.memory_size,
        "Environment": {"Variables": dict(variables)} if variables else None,
    }


def lambda_permission(
    account_id: str, region: str, name: str, properties: Properties
) -> Properties | None:
    """The statement of the function's resource policy that grants this permission: the one whose
    id is the resource's; else (moto gives a CloudFormation-made statement a random id) one that
    grants exactly what the template says, else one for the same Action and Principal (a function
    often grants its API several routes, so the first two keys alone are ambiguous). No such
    statement: the permission is DELETED."""
    function = _function(account_id, region, str(properties.get("FunctionName")))
    if function is None:
        return None
    statements = [_permission(s) for s in function.policy.statements]
    same = [
        s for s in statements if all(s[k] == properties.get(k) for k in ("Action", "Principal"))
    ]
    exact = [s for s in same if all(s[k] == v for k, v in properties.items() if k in PERMISSION)]
    own = [s for s in statements if s["Sid"] == name] or exact or same
    if not own:
        return None
    return {key: own[0][key] for key in PERMISSION}


def _permission(statement: dict[str, Any]) -> dict[str, Any]:
    """A policy statement as AddPermission's members (the inverse of Lambda's translation)."""
    principal = statement.get("Principal")
    if isinstance(principal, dict) and len(principal) == 1:
        principal = next(iter(principal.values()))  # {"Service": "s3.amazonaws.com"}
    condition = statement.get("Condition") or {}
    return {
        "Sid": statement.get("Sid"),
        "Action": statement.get("Action"),
        "Principal": principal,
        "SourceArn": (condition.get("ArnLike") or {}).get("AWS:SourceArn"),
        "SourceAccount": (condition.get("StringEquals") or {}).get("AWS:SourceAccount"),
    }


def state_machine(
    account_id: str, region: str, arn: str, properties: Properties
) -> Properties | None:
    """Definitions compared as parsed JSON; an empty one (moto made the machine without it) is
    not read."""
    from moto.stepfunctions import models  # the sandbox swaps in the interpreting backend

    backend = models.stepfunctions_backends[account_id][region]
    machine = next((m for m in backend.state_machines if m.arn == arn), None)
    if machine is None:
        return None
    live: Properties = {"StateMachineName": machine.name, "RoleArn": machine.roleArn}
    if machine.definition:
        definition = document(machine.definition)
        live.update(DefinitionString=definition, Definition=definition)
    return live


READERS = {
    "AWS::Lambda::Function": lambda_function,
    "AWS::Lambda::Permission": lambda_permission,
    "AWS::StepFunctions::StateMachine": state_machine,
}
