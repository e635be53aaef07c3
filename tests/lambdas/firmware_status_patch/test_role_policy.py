"""The function role's identity policy, rendered from the template, against every AWS call the
handler makes (issue 13, item 4).

moto enforces no identity policy, so a permission the role lacks only shows on AWS. Here each
call the handler's clients make is mapped to the IAM actions and resources AWS checks for it,
and each must be allowed by the role's policies as the stack renders them. S3 also has a rule
of its own: a read of a key that is not there (GetObject, HeadObject, the source of CopyObject)
answers 404 only to a caller with s3:ListBucket on the bucket, and 403 AccessDenied to anyone
else. The revoke that finds the public object already moved depends on that 404, so the
stand-in below answers such a read with AccessDenied, as AWS would, when the policy lacks it.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from orchestrator.templates.loader import parse_yaml
from tests.lambdas.firmware_status_patch.helpers import (
    BINARY,
    FUNCTION,
    PRIVATE,
    PUBLIC,
    TABLE,
    ZIP,
    Event,
    call,
    keys,
    put_firmware,
    request,
)
from tests.lambdas.support import Hook

TEMPLATE = Path(__file__).resolve().parents[3] / "stacks" / FUNCTION / "template.yaml"
ROLE = "FunctionRole"
REGION = "us-east-1"  # the region and account moto serves the handler's clients from
ACCOUNT = "123456789012"
PSEUDO_PARAMETERS = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}
# The deployed values (helpers.ENV gives the handler the same names); the public bucket is set,
# so HasPublicBucket holds.
PARAMETERS = {
    "ApiId": "a1b2c3d4e5",
    "AuthorizerId": "abc123",
    "SharedLayerArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:firefly-shared:1",
    "DynamoDbFirmwareTableName": TABLE,
    "FirmwarePrivateBucketName": PRIVATE,
    "FirmwarePublicBucketName": PUBLIC,
    "EnvironmentName": "dev",
}
GET_ATT = {
    ("FunctionLogGroup", "Arn"): (
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/firefly-{FUNCTION}:*"
    )
}
REVOKED = f"revoked/{ZIP}"

# --- the role's policies, rendered for the parameters above -------------------------------

_NO_VALUE = object()  # Ref AWS::NoValue: the enclosing list item or key disappears


class Unhandled(Exception):
    """The template uses a construct this small renderer/evaluator does not model."""


def _sub(text: Any, variables: dict[str, str]) -> str:
    if not isinstance(text, str):
        raise Unhandled(f"Fn::Sub of {text!r}")

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("!"):  # ${!Literal} stays as ${Literal}
            return "${" + name[1:] + "}"
        if name in variables:
            return variables[name]
        resource, dot, attribute = name.partition(".")
        if dot and (resource, attribute) in GET_ATT:
            return GET_ATT[resource, attribute]
        if name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        if name in PARAMETERS:
            return PARAMETERS[name]
        raise Unhandled(f"${{{name}}} in Fn::Sub")

    return re.sub(r"\$\{([^}]*)\}", value, text)


def _intrinsic(name: str, argument: Any, conditions: dict[str, bool]) -> Any:
    if name == "Ref":
        if argument == "AWS::NoValue":
            return _NO_VALUE
        if argument in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[argument]
        if argument in PARAMETERS:
            return PARAMETERS[argument]
        raise Unhandled(f"Ref {argument!r}")
    if name == "Fn::Sub":
        if isinstance(argument, list) and len(argument) == 2:
            variables = render(argument[1], conditions)
            return _sub(argument[0], {key: str(value) for key, value in variables.items()})
        return _sub(argument, {})
    if name == "Fn::If":
        condition, when_true, when_false = argument
        if condition not in conditions:
            raise Unhandled(f"Fn::If on unknown condition {condition!r}")
        return render(when_true if conditions[condition] else when_false, conditions)
    if name == "Fn::GetAtt":
        if tuple(argument) not in GET_ATT:
            raise Unhandled(f"Fn::GetAtt {argument!r}")
        return GET_ATT[tuple(argument)]
    raise Unhandled(f"intrinsic {name}")


def render(node: Any, conditions: dict[str, bool]) -> Any:
    """`node` as CloudFormation resolves it; raises Unhandled for anything not modelled."""
    if isinstance(node, list):
        items = [render(item, conditions) for item in node]
        return [item for item in items if item is not _NO_VALUE]
    if isinstance(node, dict):
        if len(node) == 1:
            ((name, argument),) = node.items()
            if name == "Ref" or name.startswith("Fn::"):
                return _intrinsic(name, argument, conditions)
        values = {key: render(value, conditions) for key, value in node.items()}
        return {key: value for key, value in values.items() if value is not _NO_VALUE}
    return node


def _condition(node: Any, definitions: dict[str, Any]) -> bool:
    if isinstance(node, dict) and len(node) == 1:
        ((name, argument),) = node.items()
        if name == "Fn::Not":
            return not _condition(argument[0], definitions)
        if name == "Fn::Equals":
            left, right = (render(side, {}) for side in argument)
            return bool(left == right)
        if name == "Condition":
            return _condition(definitions[argument], definitions)
    raise Unhandled(f"condition {node!r}")


def role_statements() -> list[dict[str, Any]]:
    """Every statement of the role's inline policies, for the parameters above."""
    template, problems = parse_yaml(TEMPLATE.read_text(encoding="utf-8"), str(TEMPLATE))
    assert not problems, problems
    definitions = template.get("Conditions", {})
    conditions = {name: _condition(node, definitions) for name, node in definitions.items()}
    assert conditions["HasPublicBucket"] is True
    resources = template["Resources"]
    # The function runs as this role, and the role has no permission source but its inline
    # policies (a managed policy or a boundary would need modelling here).
    assert resources["Function"]["Properties"]["Role"] == {"Fn::GetAtt": [ROLE, "Arn"]}
    role = resources[ROLE]["Properties"]
    assert set(role) == {"AssumeRolePolicyDocument", "Policies"}, sorted(role)
    statements: list[dict[str, Any]] = []
    for policy in render(role["Policies"], conditions):
        statement = policy["PolicyDocument"]["Statement"]
        statements.extend(statement if isinstance(statement, list) else [statement])
    for statement in statements:
        # Only Allow statements with plain Action and Resource are modelled: a Deny, a
        # NotAction/NotResource or a Condition would change the answers below.
        if statement.get("Effect") != "Allow" or set(statement) - {"Sid", "Effect"} != {
            "Action",
            "Resource",
        }:
            raise Unhandled(f"statement {statement!r}")
    return statements


# --- a tiny evaluator for Allow statements --------------------------------------------------


def _wildcard(pattern: str, text: str, *, ignore_case: bool) -> bool:
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.fullmatch(regex, text, re.IGNORECASE if ignore_case else 0) is not None


def _resource_matches(pattern: str, arn: str) -> bool:
    # A wildcard stays within its ARN segment; the last segment (the resource) may hold colons.
    if pattern == "*":
        return True
    wanted, actual = pattern.split(":", 5), arn.split(":", 5)
    return len(wanted) == len(actual) == 6 and all(
        _wildcard(w, a, ignore_case=False) for w, a in zip(wanted, actual, strict=True)
    )


def _as_list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def allows(statements: list[dict[str, Any]], action: str, resource: str) -> bool:
    return any(
        any(_wildcard(a, action, ignore_case=True) for a in _as_list(s["Action"]))
        and any(_resource_matches(r, resource) for r in _as_list(s["Resource"]))
        for s in statements
    )


# --- what each call needs -----------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    action: str
    resource: str
    # s3:ListBucket that only decides 404 (with it) or 403 (without) for a missing key.
    for_missing_key: bool = False


def _bucket(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def _copy_source(source: Any) -> tuple[str, str]:
    # botocore turns {"Bucket", "Key"} into "bucket/key" (URL-quoted) before this hook runs.
    if isinstance(source, dict):
        return source["Bucket"], source["Key"]
    text = unquote(source).split("?versionId=")[0]
    if text.startswith("arn:"):
        raise Unhandled(f"CopySource {source!r}")
    bucket, _, key = text.lstrip("/").partition("/")
    return bucket, key


def _read(bucket: str, key: str) -> list[Need]:
    return [
        Need("s3:GetObject", f"{_bucket(bucket)}/{key}"),
        Need("s3:ListBucket", _bucket(bucket), for_missing_key=True),
    ]


def needs(service: str, operation: str, params: dict[str, Any]) -> list[Need]:
    """The IAM actions and resources AWS checks for one call; Unhandled if not mapped."""
    if service == "s3":
        bucket = params.get("Bucket", "")
        key = f"{_bucket(bucket)}/{params.get('Key', '')}"
        if operation in ("GetObject", "HeadObject"):
            return _read(bucket, params["Key"])
        if operation == "PutObject":
            return [Need("s3:PutObject", key)]
        if operation == "DeleteObject":
            return [Need("s3:DeleteObject", key)]
        if operation == "CopyObject":
            return [*_read(*_copy_source(params["CopySource"])), Need("s3:PutObject", key)]
        if operation in ("ListObjects", "ListObjectsV2"):
            return [Need("s3:ListBucket", _bucket(bucket))]
    if service == "dynamodb" and operation in ("GetItem", "UpdateItem", "PutItem", "Query"):
        table = params["TableName"]
        arn = (
            table
            if table.startswith("arn:")
            else f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table}"
        )
        if operation == "Query" and "IndexName" in params:
            arn += f"/index/{params['IndexName']}"
        return [Need(f"dynamodb:{operation}", arn)]
    raise Unhandled(f"{service}.{operation}: no IAM mapping; add it so the call is checked")


def _missing(probe: Any, params: dict[str, Any], operation: str) -> bool:
    bucket, key = (
        _copy_source(params["CopySource"])
        if operation == "CopyObject"
        else (params["Bucket"], params["Key"])
    )
    try:
        probe.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey"):
            return True
        raise
    return False


class Recorder:
    """Every call the handler's clients make, checked against the role's policy as it is made.

    A denied call is refused with AccessDenied, as AWS would refuse it, so the handler's answer
    is the one it would give on AWS; `denied` keeps what was refused for the assertion.
    """

    def __init__(self, statements: list[dict[str, Any]], probe: Any) -> None:
        self.statements = statements
        self.probe = probe  # a client of the test's own: its calls are not recorded
        self.calls: list[str] = []
        self.denied: list[str] = []
        self.unmapped: list[str] = []

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        service, operation = model.service_model.service_name, model.name
        call_name = f"{service}.{operation}"
        self.calls.append(call_name)
        try:
            required = needs(service, operation, params)
        except Unhandled as error:
            # Raising here would only become the handler's 500; the test asserts on it instead.
            self.unmapped.append(str(error))
            return
        refused = [n for n in required if not allows(self.statements, n.action, n.resource)]
        self.denied += [f"{call_name}: {n.action} on {n.resource}" for n in refused]
        # AWS refuses a call that lacks a permission, except that without s3:ListBucket an
        # existing key still reads: ListBucket only turns a missing key's 403 into a 404.
        if any(not n.for_missing_key for n in refused) or (
            refused and _missing(self.probe, params, operation)
        ):
            raise ClientError(
                {
                    "Error": {"Code": "AccessDenied", "Message": "Access Denied"},
                    "ResponseMetadata": {"HTTPStatusCode": 403},
                },
                operation,
            )

    def assert_all_allowed(self, *answers: Any) -> None:
        """Every call so far was mapped and allowed; `answers` (the handler's) go in the message."""
        assert self.unmapped == [], "calls the IAM map does not know: map them"
        assert self.denied == [], f"the role lacks {self.denied}; as on AWS, answers: {answers}"


@pytest.fixture
def clients() -> tuple[Any, Any]:
    """The test's own clients, created before the recorder hooks the session."""
    return boto3.client("dynamodb"), boto3.client("s3")


@pytest.fixture
def recorder(app: ModuleType, clients: tuple[Any, Any], hook: Hook) -> Iterator[Recorder]:
    recording = Recorder(role_statements(), clients[1])
    handler_clients = [value for value in vars(app).values() if isinstance(value, BaseClient)]
    assert {c.meta.service_model.service_name for c in handler_clients} == {"s3", "dynamodb"}
    for client in handler_clients:
        hook(client, "before-parameter-build", recording)
    # A client the handler would create later copies the session's hooks: it is checked too.
    session_events = boto3.DEFAULT_SESSION.events
    session_events.register("before-parameter-build", recording)
    yield recording
    session_events.unregister("before-parameter-build", recording)


def _answer(response: tuple[int, dict[str, Any]]) -> dict[str, Any]:
    status, body = response
    return {"status": status, **{k: body[k] for k in ("error", "current_status") if k in body}}


# --- the scenarios ------------------------------------------------------------------------


def test_a_full_lifecycle_and_a_second_revoke_need_nothing_the_role_lacks(
    app: ModuleType, clients: tuple[Any, Any], recorder: Recorder, event: Event
) -> None:
    table, s3 = clients
    put_firmware(table, "READY_TO_TEST")

    answers = [_answer(call(app, request(event, s))) for s in ("TESTING", "RELEASED", "REVOKED")]
    # The object is already under revoked/: the machine moves one step forward only, so the
    # seed's answer is "illegal transition", whatever S3 holds.
    again = _answer(call(app, request(event, "REVOKED")))

    recorder.assert_all_allowed(*answers, again)
    assert answers == [{"status": 200}] * 3
    assert again == {
        "status": 409,
        "error": "Illegal status transition",
        "current_status": "REVOKED",
    }
    assert keys(s3, PUBLIC) == [REVOKED]
    assert set(recorder.calls) == {
        "dynamodb.GetItem",
        "dynamodb.UpdateItem",
        "s3.CopyObject",
        "s3.DeleteObject",
    }


def test_a_retried_revoke_finds_the_object_moved_and_still_succeeds(
    app: ModuleType, clients: tuple[Any, Any], recorder: Recorder, event: Event, hook: Hook
) -> None:
    # The first attempt moves the object, then its commit is throttled: the item still says
    # RELEASED and the retry's copy finds no public object (404 only with s3:ListBucket).
    table, s3 = clients
    put_firmware(table, "RELEASED")
    s3.put_object(Bucket=PUBLIC, Key=ZIP, Body=BINARY)
    throttled: list[bool] = []

    def throttle_once(**_: Any) -> None:
        if not throttled:
            throttled.append(True)
            raise app.dynamodb.exceptions.ProvisionedThroughputExceededException(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}},
                "UpdateItem",
            )

    hook(app.dynamodb, "before-call.dynamodb.UpdateItem", throttle_once)

    first = _answer(call(app, request(event, "REVOKED")))
    moved = keys(s3, PUBLIC)
    retry = _answer(call(app, request(event, "REVOKED")))

    recorder.assert_all_allowed(first, retry)
    assert (first, moved) == ({"status": 500, "error": "Internal server error"}, [REVOKED])
    assert retry == {"status": 200}
    assert keys(s3, PUBLIC) == [REVOKED]


def test_a_revoke_that_loses_to_a_concurrent_revoke_is_a_conflict_not_a_500(
    app: ModuleType, clients: tuple[Any, Any], recorder: Recorder, event: Event, hook: Hook
) -> None:
    # The other request runs whole between our read (RELEASED) and our move: our copy finds
    # the object gone and our commit finds REVOKED.
    table, s3 = clients
    put_firmware(table, "RELEASED")
    s3.put_object(Bucket=PUBLIC, Key=ZIP, Body=BINARY)
    other: list[dict[str, Any]] = []

    def other_revoke_runs_first(**_: Any) -> None:
        if not other:
            other.append({})  # before the call: its own GetItem comes back here
            other[0] = _answer(call(app, request(event, "REVOKED")))

    hook(app.dynamodb, "after-call.dynamodb.GetItem", other_revoke_runs_first)

    ours = _answer(call(app, request(event, "REVOKED")))

    recorder.assert_all_allowed(*other, ours)
    assert other == [{"status": 200}]
    assert ours == {
        "status": 409,
        "error": "Firmware status changed by a concurrent request",
        "current_status": "REVOKED",
    }
    assert keys(s3, PUBLIC) == [REVOKED]


# --- the checker itself: it refuses what it does not know ----------------------------------


def test_the_evaluator_matches_as_iam_does() -> None:
    statements = [
        {"Effect": "Allow", "Action": ["S3:Get*"], "Resource": "arn:aws:s3:::b/*"},
        {
            "Effect": "Allow",
            "Action": "dynamodb:GetItem",
            "Resource": "arn:aws:dynamodb:*:*:table/t?",
        },
    ]
    assert allows(statements, "s3:GetObject", "arn:aws:s3:::b/revoked/x.zip")
    assert not allows(statements, "s3:ListBucket", "arn:aws:s3:::b")
    assert not allows(statements, "s3:GetObject", "arn:aws:s3:::B/x.zip")
    assert allows(statements, "dynamodb:getitem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t1")
    assert not allows(
        statements, "dynamodb:GetItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t12"
    )


def test_the_renderer_and_the_map_fail_loudly_on_what_they_do_not_model() -> None:
    with pytest.raises(Unhandled, match="Fn::ImportValue"):
        render({"Fn::ImportValue": "x"}, {})
    with pytest.raises(Unhandled, match="Fn::If on unknown condition"):
        render({"Fn::If": ["Other", 1, 2]}, {"HasPublicBucket": True})
    with pytest.raises(Unhandled, match=r"\$\{Unknown\}"):
        render({"Fn::Sub": "arn:${Unknown}"}, {})
    with pytest.raises(Unhandled, match=r"s3\.GetBucketLocation: no IAM mapping"):
        needs("s3", "GetBucketLocation", {"Bucket": PUBLIC})
    with pytest.raises(Unhandled, match=r"dynamodb\.DeleteItem: no IAM mapping"):
        needs("dynamodb", "DeleteItem", {"TableName": TABLE})


def test_a_call_the_map_does_not_know_is_reported(app: ModuleType, recorder: Recorder) -> None:
    app.s3.get_bucket_location(Bucket=PUBLIC)
    boto3.client("dynamodb").describe_table(TableName=TABLE)  # a client created mid-run too

    assert recorder.unmapped == [
        "s3.GetBucketLocation: no IAM mapping; add it so the call is checked",
        "dynamodb.DescribeTable: no IAM mapping; add it so the call is checked",
    ]
    with pytest.raises(AssertionError, match="calls the IAM map does not know"):
        recorder.assert_all_allowed()
