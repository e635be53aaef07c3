"""The stack engine (cloudformation.responses): change sets, outputs, events, rollback, import,
retain, deletion failures, template errors, latency and concurrency, as AWS behaves."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.sandbox.cfn_support import (
    KEY,
    change_set,
    create,
    error_code,
    outputs,
    resource_events,
    settle,
    unique,
)
from tests.waiting import wait_until

Aws = Callable[[str], Any]


def table_stack(name: str) -> dict[str, Any]:
    return {
        "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
        "Resources": {
            "Table": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {"TableName": {"Fn::Sub": name + "-${Env}"}, **KEY},
            },
            "Queue": {"Type": "AWS::SQS::Queue"},
        },
        "Outputs": {
            "Table": {"Value": {"Ref": "Table"}, "Export": {"Name": name}},
            "Arn": {"Value": {"Fn::GetAtt": ["Table", "Arn"]}},
        },
    }


def test_create_change_set_gives_outputs_exports_tags_and_events(aws: Aws) -> None:
    cfn, stack = aws("cloudformation"), unique("cs")
    ready = change_set(cfn, stack, table_stack(stack), Tags=[{"Key": "k", "Value": "v"}])
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "REVIEW_IN_PROGRESS"
    assert sorted(c["ResourceChange"]["Action"] for c in ready["Changes"]) == ["Add", "Add"]
    cfn.execute_change_set(StackName=stack, ChangeSetName="deploy")
    done = settle(cfn, stack)
    exports = {e["Name"]: e["Value"] for e in cfn.list_exports()["Exports"]}

    assert done["StackStatus"] == "CREATE_COMPLETE"
    assert outputs(done)["Table"] == f"{stack}-dev" and exports[stack] == f"{stack}-dev"
    assert done["Tags"] == [{"Key": "k", "Value": "v"}]
    assert {("Table", "CREATE_COMPLETE"), ("Queue", "CREATE_COMPLETE")} <= {
        (lid, status) for lid, status, _ in resource_events(cfn, stack)
    }


def test_change_set_names_belong_to_their_stack(aws: Aws) -> None:
    cfn, first, second = aws("cloudformation"), unique("a"), unique("b")
    for stack in (first, second):
        change_set(cfn, stack, {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})

    assert cfn.describe_change_set(StackName=first, ChangeSetName="deploy")["StackName"] == first
    assert error_code(lambda: cfn.delete_change_set(StackName=first, ChangeSetName="nope")) is None
    assert (
        error_code(lambda: cfn.describe_change_set(StackName=first, ChangeSetName="nope"))
        == "ChangeSetNotFound"
    )
    assert (
        error_code(
            lambda: cfn.create_change_set(
                StackName=first,
                ChangeSetName="deploy",
                ChangeSetType="CREATE",
                TemplateBody=json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}),
            )
        )
        == "AlreadyExistsException"
    )


def test_unchanged_update_is_a_failed_change_set_and_a_validation_error(aws: Aws) -> None:
    cfn, stack = aws("cloudformation"), unique("same")
    template = table_stack(stack)
    create(cfn, stack, template)
    ready = change_set(
        cfn,
        stack,
        template,
        name="again",
        kind="UPDATE",
        Parameters=[{"ParameterKey": "Env", "UsePreviousValue": True}],
    )

    assert (ready["Status"], ready["ExecutionStatus"]) == ("FAILED", "UNAVAILABLE")
    assert "didn't contain changes" in ready["StatusReason"]
    assert (
        error_code(lambda: cfn.update_stack(StackName=stack, TemplateBody=json.dumps(template)))
        == "ValidationError"
    )


def test_failing_resource_rolls_back_with_a_reason(aws: Aws) -> None:
    cfn, ddb, stack = aws("cloudformation"), aws("dynamodb"), unique("rollback")
    taken = unique("taken")
    ddb.create_table(TableName=taken, **KEY)
    template = {
        "Resources": {
            "Ok": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": stack}},
            "Bad": {
                "Type": "AWS::DynamoDB::Table",
                "DependsOn": "Ok",
                "Properties": {"TableName": taken, **KEY},
            },
        }
    }
    done = create(cfn, stack, template)
    reasons = {
        lid: why for lid, status, why in resource_events(cfn, stack) if status == "CREATE_FAILED"
    }

    assert done["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "already exists" in reasons["Bad"]
    assert error_code(lambda: aws("sqs").get_queue_url(QueueName=stack)) is not None
    assert ddb.describe_table(TableName=taken)["Table"]["TableStatus"] == "ACTIVE"


def test_failing_update_rolls_back_and_keeps_the_stack(aws: Aws) -> None:
    cfn, stack = aws("cloudformation"), unique("upd")
    queue = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": stack}}
    create(cfn, stack, {"Resources": {"Ok": queue}})
    bad = {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": "abc"}}
    cfn.update_stack(
        StackName=stack, TemplateBody=json.dumps({"Resources": {"Ok": queue, "Bad": bad}})
    )

    assert settle(cfn, stack)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert aws("sqs").get_queue_url(QueueName=stack)["QueueUrl"].endswith(stack)


def test_deleted_stack_stays_deleted_by_id(aws: Aws) -> None:
    cfn, stack = aws("cloudformation"), unique("gone")
    stack_id = create(cfn, stack, table_stack(stack))["StackId"]
    cfn.delete_stack(StackName=stack)

    assert settle(cfn, stack_id)["StackStatus"] == "DELETE_COMPLETE"
    assert (
        error_code(lambda: aws("dynamodb").describe_table(TableName=f"{stack}-dev"))
        == "ResourceNotFoundException"
    )
    assert error_code(lambda: cfn.describe_stacks(StackName=stack)) == "ValidationError"


def test_retain_skips_and_protection_fails_the_delete(aws: Aws) -> None:
    cfn, ddb, stack = aws("cloudformation"), aws("dynamodb"), unique("keep")
    template = {
        "Resources": {
            "Kept": {
                "Type": "AWS::DynamoDB::Table",
                "DeletionPolicy": "Retain",
                "Properties": {"TableName": f"{stack}-kept", **KEY},
            },
            "Guarded": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "TableName": f"{stack}-guarded",
                    "DeletionProtectionEnabled": True,
                    **KEY,
                },
            },
        }
    }
    create(cfn, stack, template)
    cfn.delete_stack(StackName=stack)
    statuses = {(lid, status) for lid, status, _ in resource_events(cfn, stack)}

    assert settle(cfn, stack)["StackStatus"] == "DELETE_FAILED"
    assert {("Kept", "DELETE_SKIPPED"), ("Guarded", "DELETE_FAILED")} <= statuses
    ddb.update_table(TableName=f"{stack}-guarded", DeletionProtectionEnabled=False)
    cfn.delete_stack(StackName=stack)
    assert error_code(lambda: cfn.describe_stacks(StackName=stack)) == "ValidationError"
    assert ddb.describe_table(TableName=f"{stack}-kept")["Table"]["TableStatus"] == "ACTIVE"


def test_import_adopts_an_existing_table(aws: Aws) -> None:
    cfn, ddb, stack, name = aws("cloudformation"), aws("dynamodb"), unique("imp"), unique("t")
    ddb.create_table(TableName=name, **KEY)
    ddb.put_item(TableName=name, Item={"pk": {"S": "1"}})
    template = {
        "Resources": {
            "T": {
                "Type": "AWS::DynamoDB::Table",
                "DeletionPolicy": "Retain",
                "Properties": {"TableName": name, **KEY},
            }
        }
    }
    ready = change_set(
        cfn,
        stack,
        template,
        kind="IMPORT",
        ResourcesToImport=[
            {
                "ResourceType": "AWS::DynamoDB::Table",
                "LogicalResourceId": "T",
                "ResourceIdentifier": {"TableName": name},
            }
        ],
    )
    cfn.execute_change_set(StackName=stack, ChangeSetName="deploy")

    assert [c["ResourceChange"]["Action"] for c in ready["Changes"]] == ["Import"]
    assert settle(cfn, stack)["StackStatus"] == "IMPORT_COMPLETE"
    assert ddb.scan(TableName=name)["Items"] == [{"pk": {"S": "1"}}]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            {
                "Resources": {
                    "Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "X"}}}
                }
            },
            "Unresolved resource dependencies [X]",
        ),
        (
            {
                "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
                "Outputs": {"O": {"Value": {"Fn::GetAtt": ["Q", "Nope"]}}},
            },
            "does not support attribute type Nope",
        ),
        (
            {
                "Resources": {
                    "R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}
                }
            },
            "Requires capabilities",
        ),
    ],
)
def test_template_errors_fail_the_call(aws: Aws, template: dict[str, Any], message: str) -> None:
    cfn, stack = aws("cloudformation"), unique("bad")
    with pytest.raises(ClientError) as raised:
        cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template))

    assert message in raised.value.response["Error"]["Message"]
    assert error_code(lambda: cfn.describe_stacks(StackName=stack)) == "ValidationError"


def test_template_metadata_latency_holds_the_stack_in_progress(aws: Aws) -> None:
    latency = 2.0  # seconds; far more than a call takes, even on a loaded machine
    cfn, stack = aws("cloudformation"), unique("slow")
    template = {
        "Metadata": {"FireflySandbox": {"Latency": latency}},
        "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
    }
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template))

    # Seen in progress by the very next call (without latency it would already be complete),
    # and then done.
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "CREATE_IN_PROGRESS"
    assert settle(cfn, stack, timeout=60)["StackStatus"] == "CREATE_COMPLETE"
    # The engine spreads the operation's events over the latency: its first and last events
    # are `latency` apart by the engine's own stamps, whatever this test's pace.
    stamps = [
        e["Timestamp"]
        for e in cfn.describe_stack_events(StackName=stack)["StackEvents"]
        if e["LogicalResourceId"] == stack
    ]
    assert (max(stamps) - min(stamps)).total_seconds() == pytest.approx(latency, abs=0.01)


def test_change_set_latency_holds_the_change_set_apart_from_the_stack(aws: Aws) -> None:
    cfn, stack = aws("cloudformation"), unique("slowcs")
    template = {
        "Metadata": {"FireflySandbox": {"ChangeSetLatency": 2.0, "Latency": 0}},
        "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
    }

    # Seen pending by the very next call (without it the change set would be complete, as
    # the stack latency is 0), and not executable meanwhile, as on AWS.
    described = change_set(cfn, stack, template)
    assert described["Status"] in ("CREATE_PENDING", "CREATE_IN_PROGRESS")
    with pytest.raises(ClientError, match="InvalidChangeSetStatus"):
        cfn.execute_change_set(StackName=stack, ChangeSetName="deploy")
    wait_until(
        lambda: (
            cfn.describe_change_set(StackName=stack, ChangeSetName="deploy")["Status"]
            == "CREATE_COMPLETE"
        ),
        "the change set to complete",
    )
    cfn.execute_change_set(StackName=stack, ChangeSetName="deploy")

    # the execution takes the stack's own latency: none
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"


def test_a_change_set_latency_of_zero_leaves_the_latency_to_the_execution(aws: Aws) -> None:
    cfn, stack = aws("cloudformation"), unique("slowstack")
    template = {
        "Metadata": {"FireflySandbox": {"Latency": 2.0, "ChangeSetLatency": 0}},
        "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
    }

    assert change_set(cfn, stack, template)["Status"] == "CREATE_COMPLETE"
    cfn.execute_change_set(StackName=stack, ChangeSetName="deploy")

    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "CREATE_IN_PROGRESS"


def test_without_change_set_latency_a_change_set_takes_the_stack_latency(aws: Aws) -> None:
    cfn, stack = aws("cloudformation"), unique("default")
    template = {
        "Metadata": {"FireflySandbox": {"Latency": 2.0}},
        "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
    }

    assert change_set(cfn, stack, template)["Status"] in ("CREATE_PENDING", "CREATE_IN_PROGRESS")


def test_simultaneous_creates_of_one_name_make_one_stack(aws: Aws) -> None:
    cfn, stack = aws("cloudformation"), unique("race")
    body = json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    errors: list[str | None] = []
    barrier = threading.Barrier(8)

    def attempt() -> None:
        barrier.wait()
        errors.append(error_code(lambda: cfn.create_stack(StackName=stack, TemplateBody=body)))

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors.count(None) == 1
    assert errors.count("AlreadyExistsException") == 7


def test_on_failure_delete_and_retain_resources(aws: Aws) -> None:
    cfn, ddb, stack = aws("cloudformation"), aws("dynamodb"), unique("onfail")
    bad = {
        "Resources": {
            "Bad": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": "abc"}}
        }
    }
    stack_id = cfn.create_stack(StackName=stack, TemplateBody=json.dumps(bad), OnFailure="DELETE")[
        "StackId"
    ]
    assert settle(cfn, stack_id)["StackStatus"] == "DELETE_COMPLETE"

    guarded = {
        "Resources": {
            "T": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {"TableName": stack, "DeletionProtectionEnabled": True, **KEY},
            }
        }
    }
    create(cfn, stack, guarded)
    cfn.delete_stack(StackName=stack)
    assert settle(cfn, stack)["StackStatus"] == "DELETE_FAILED"
    cfn.delete_stack(StackName=stack, RetainResources=["T"])
    assert error_code(lambda: cfn.describe_stacks(StackName=stack)) == "ValidationError"
    ddb.update_table(TableName=stack, DeletionProtectionEnabled=False)
    ddb.delete_table(TableName=stack)


def test_no_echo_parameters_are_masked(aws: Aws) -> None:
    cfn, stack = aws("cloudformation"), unique("secret")
    template = {
        "Parameters": {"Token": {"Type": "String", "NoEcho": True}},
        "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
    }
    done = create(
        cfn, stack, template, Parameters=[{"ParameterKey": "Token", "ParameterValue": "s3cr3t"}]
    )

    assert done["Parameters"] == [{"ParameterKey": "Token", "ParameterValue": "****"}]


def test_import_needs_a_deletion_policy_and_nested_stacks_fail(aws: Aws) -> None:
    cfn, ddb, stack = aws("cloudformation"), aws("dynamodb"), unique("strict")
    ddb.create_table(TableName=stack, **KEY)
    bare = {
        "Resources": {
            "T": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": stack, **KEY}}
        }
    }
    to_import = [
        {
            "ResourceType": "AWS::DynamoDB::Table",
            "LogicalResourceId": "T",
            "ResourceIdentifier": {"TableName": stack},
        }
    ]
    assert (
        error_code(lambda: change_set(cfn, stack, bare, kind="IMPORT", ResourcesToImport=to_import))
        == "ValidationError"
    )

    nested = {
        "Resources": {
            "N": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {"TemplateURL": "https://example.com/t.json"},
            }
        }
    }
    assert create(cfn, f"{stack}-n", nested)["StackStatus"] == "ROLLBACK_COMPLETE"


def test_update_replaces_renamed_and_removes_dropped_resources(aws: Aws) -> None:
    cfn, ddb, stack = aws("cloudformation"), aws("dynamodb"), unique("swap")
    create(cfn, stack, table_stack(stack))
    template = table_stack(stack)
    del template["Resources"]["Queue"]
    ready = change_set(
        cfn,
        stack,
        template,
        name="swap",
        kind="UPDATE",
        Parameters=[{"ParameterKey": "Env", "ParameterValue": "stg"}],
    )
    cfn.execute_change_set(StackName=stack, ChangeSetName="swap")
    done = settle(cfn, stack)

    assert sorted(
        (c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"])
        for c in ready["Changes"]
    ) == [("Modify", "Table"), ("Remove", "Queue")]
    assert done["StackStatus"] == "UPDATE_COMPLETE"
    assert outputs(done)["Table"] == f"{stack}-stg"
    assert (
        error_code(lambda: ddb.describe_table(TableName=f"{stack}-dev"))
        == "ResourceNotFoundException"
    )
    assert ddb.describe_table(TableName=f"{stack}-stg")["Table"]["TableStatus"] == "ACTIVE"


def test_a_rejected_change_set_makes_no_stack(aws: Aws) -> None:
    cfn, stack = aws("cloudformation"), unique("nostack")
    broken = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "DependsOn": "Missing"}}}

    assert error_code(lambda: change_set(cfn, stack, broken)) == "ValidationError"
    assert error_code(lambda: cfn.describe_stacks(StackName=stack)) == "ValidationError"
