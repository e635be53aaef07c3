"""Step Functions executions run to their end, for state machines made through the API or
through CloudFormation; a Task state's Lambda call runs the real handler."""

from __future__ import annotations

import json
from typing import Any

from tests.sandbox.cfn_support import KEY, create, unique
from tests.sandbox.lambda_support import function
from tests.waiting import DEADLINE, wait_until

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}
FAIL = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Broken", "Cause": "test"}}}
SFN_ROLE = "arn:aws:iam::123456789012:role/sandbox-tests-states"


def finished(sfn: Any, execution_arn: str, timeout: float = DEADLINE) -> dict[str, Any]:
    """The execution once it is no longer RUNNING."""

    def ended() -> dict[str, Any] | None:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        return None if described["status"] == "RUNNING" else described

    return wait_until(ended, f"execution {execution_arn} to end", timeout)


def run(aws: Any, definition: dict[str, Any], execution_input: object) -> dict[str, Any]:
    sfn = aws("stepfunctions")
    arn = sfn.create_state_machine(
        name=unique("sm"), definition=json.dumps(definition), roleArn=SFN_ROLE
    )["stateMachineArn"]
    try:
        execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(execution_input))
        return finished(sfn, execution["executionArn"])
    finally:
        sfn.delete_state_machine(stateMachineArn=arn)


def test_a_pass_machine_succeeds_with_its_output(aws: Any) -> None:
    described = run(aws, PASS, {"a": 1})

    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"ok": True})


def test_a_fail_state_fails_the_execution(aws: Any) -> None:
    described = run(aws, FAIL, {})

    assert (described["status"], described.get("error")) == ("FAILED", "Broken")


def test_a_lambda_task_runs_the_handler(aws: Any, lambda_role: str) -> None:
    source = "def handler(event, context):\n    return {'doubled': event['n'] * 2}\n"
    with function(aws, lambda_role, source) as name:
        arn = aws("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]
        task = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": arn, "End": True}}}
        described = run(aws, task, {"n": 21})

    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"doubled": 42}


def test_a_machine_made_by_cloudformation_runs(aws: Any) -> None:
    stack = unique("machine")
    done = create(
        aws("cloudformation"),
        stack,
        {
            "Resources": {
                "SM": {
                    "Type": "AWS::StepFunctions::StateMachine",
                    "Properties": {
                        "StateMachineName": stack,
                        "DefinitionString": json.dumps(PASS),
                        "RoleArn": SFN_ROLE,
                    },
                }
            },
            "Outputs": {"Arn": {"Value": {"Ref": "SM"}}},
        },
    )
    try:
        arn = done["Outputs"][0]["OutputValue"]
        sfn = aws("stepfunctions")
        execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
        described = finished(sfn, execution)
    finally:
        aws("cloudformation").delete_stack(StackName=stack)

    assert described["status"] == "SUCCEEDED"


def test_a_dynamodb_task_writes_to_the_engines_table(aws: Any) -> None:
    ddb, table = aws("dynamodb"), unique("builds")
    ddb.create_table(TableName=table, **KEY)
    task = {
        "StartAt": "Record",
        "States": {
            "Record": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:updateItem",
                "End": True,
                "Parameters": {
                    "TableName": table,
                    "Key": {"pk": {"S.$": "$.pk"}},
                    "UpdateExpression": "SET #s = :s",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":s": {"S": "SUCCESS"}},
                },
            }
        },
    }
    try:
        described = run(aws, task, {"pk": "build-1"})
        item = ddb.get_item(TableName=table, Key={"pk": {"S": "build-1"}}).get("Item")
    finally:
        ddb.delete_table(TableName=table)

    assert described["status"] == "SUCCEEDED", described
    assert item == {"pk": {"S": "build-1"}, "status": {"S": "SUCCESS"}}
