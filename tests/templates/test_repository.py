"""The repository's own manifest and templates pass every check, and say what the seeds say."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestrator.manifest import Manifest, load_manifest
from orchestrator.templates import (
    TEMPLATE_CHECKS,
    Resource,
    Template,
    check_cfn_lint,
    stack_templates,
    template_warnings,
)
from orchestrator.validation import FULL_CHECKS, load_checked
from tests.conftest import MANIFEST, REPO

# Seed 004: the phone that scans the QR code holds no operator token (see that template).
PUBLIC_ROUTES = {"func-qr-upload-http-api"}
RUNTIME_VARIABLES = {"AWS_REGION"}


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return load_manifest(MANIFEST)


@pytest.fixture(scope="module")
def templates(manifest: Manifest) -> dict[str, Template]:
    found = {s.workflow.name: s.template for s in stack_templates(manifest)}
    assert None not in found.values()
    return {name: template for name, template in found.items() if template is not None}


def resources(template: Template, kind: str) -> Iterator[Resource]:
    return (r for r in template.resources().values() if r.type == kind)


def only(template: Template, kind: str) -> Resource:
    [resource] = resources(template, kind)
    return resource


def test_the_repository_passes_every_check_without_a_cfn_lint_finding(manifest: Manifest) -> None:
    assert load_checked(MANIFEST, FULL_CHECKS) is not None
    assert set(TEMPLATE_CHECKS) <= set(FULL_CHECKS)
    assert list(check_cfn_lint(manifest)) == []
    assert template_warnings(manifest) == []


def test_every_stack_workflow_has_its_template(
    manifest: Manifest, templates: dict[str, Template]
) -> None:
    stacks = {name for name, w in manifest.workflows.items() if w.has_stack}
    assert set(templates) == stacks
    for name in stacks:
        assert manifest.workflows[name].template == f"stacks/{name}/template.yaml"


def test_the_registration_keys_table_is_exactly_seed_001(templates: dict[str, Template]) -> None:
    table = only(templates["dynamodb-registration-keys"], "AWS::DynamoDB::Table")

    assert table.attributes["DeletionPolicy"] == "Retain"
    assert table.attributes["UpdateReplacePolicy"] == "Retain"
    assert table.properties["TableName"] == "firefly-registration-keys"
    assert table.properties["DeletionProtectionEnabled"] is True
    assert table.properties["TimeToLiveSpecification"] == {
        "AttributeName": "expires_at",
        "Enabled": True,
    }
    assert len(templates["dynamodb-registration-keys"].resources()) == 1


def test_the_builds_stream_has_seed_003s_settings(templates: dict[str, Template]) -> None:
    table = only(templates["dynamodb-builds"], "AWS::DynamoDB::Table")
    function = only(templates["func-trigger-build"], "AWS::Serverless::Function")

    assert table.properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    stream = function.properties["Events"]["BuildsStream"]["Properties"]
    assert stream["StartingPosition"] == "LATEST"
    assert stream["BatchSize"] == 10
    assert stream["MaximumRetryAttempts"] == 3
    assert stream["BisectBatchOnFunctionError"] is True


@pytest.mark.parametrize(
    ("workflow", "name"),
    [
        ("func-api-firmware-status-patch", "firefly-func-api-firmware-status-patch"),
        ("func-qr-upload-http-api", {"Fn::Sub": "qr-upload-http-api-${Environment}"}),
        ("func-qr-upload-websocket-event", {"Fn::Sub": "qr-upload-websocket-event-${Environment}"}),
        ("func-trigger-build", {"Fn::Sub": "${Environment}-aws-deployer-trigger-build"}),
        ("func-status", {"Fn::Sub": "${Project}-status"}),
    ],
)
def test_function_names_follow_the_seeds(
    templates: dict[str, Template], workflow: str, name: Any
) -> None:
    function = only(templates[workflow], "AWS::Serverless::Function")

    assert function.properties["FunctionName"] == name


def _log_group_name(function_name: Any) -> Any:
    if isinstance(function_name, str):
        return f"/aws/lambda/{function_name}"
    return {"Fn::Sub": f"/aws/lambda/{function_name['Fn::Sub']}"}


def test_every_function_logs_to_its_own_group_with_a_retention(
    templates: dict[str, Template],
) -> None:
    for name, template in templates.items():
        for function in resources(template, "AWS::Serverless::Function"):
            group = only(template, "AWS::Logs::LogGroup")
            assert group.properties["LogGroupName"] == _log_group_name(
                function.properties["FunctionName"]
            ), name
            assert isinstance(group.properties["RetentionInDays"], int), name
    patch = only(templates["func-api-firmware-status-patch"], "AWS::Logs::LogGroup")
    assert patch.properties["RetentionInDays"] == 30


def test_every_function_is_python_3_11_with_the_shared_layer(
    templates: dict[str, Template],
) -> None:
    for name, template in templates.items():
        for function in resources(template, "AWS::Serverless::Function"):
            assert function.properties["Runtime"] == "python3.11", name
            assert function.properties["Layers"] == [{"Ref": "SharedLayerArn"}], name


def test_routes_on_the_http_api_are_behind_the_jwt_authorizer(
    templates: dict[str, Template],
) -> None:
    for name, template in templates.items():
        for route in resources(template, "AWS::ApiGatewayV2::Route"):
            if route.properties["ApiId"] != {"Ref": "ApiId"} or name in PUBLIC_ROUTES:
                continue
            assert route.properties["AuthorizationType"] == "JWT", name
            assert route.properties["AuthorizerId"] == {"Ref": "AuthorizerId"}, name


def test_the_http_api_answers_cors(templates: dict[str, Template]) -> None:
    api = only(templates["api-gateway"], "AWS::ApiGatewayV2::Api")

    assert api.properties["CorsConfiguration"]["AllowOrigins"] == ["*"]


def _statements(template: Template) -> Iterator[dict[str, Any]]:
    for role in resources(template, "AWS::IAM::Role"):
        for policy in role.properties.get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                if isinstance(statement, dict) and "Fn::If" in statement:
                    statement = statement["Fn::If"][1]
                yield statement


def test_function_roles_name_exact_actions_on_exact_resources(
    templates: dict[str, Template],
) -> None:
    for name, template in templates.items():
        for statement in _statements(template):
            actions = statement["Action"]
            actions = actions if isinstance(actions, list) else [actions]
            assert all("*" not in action for action in actions), name
            assert statement["Resource"] != "*", name


# How the Lambda sources read their configuration.
READ = re.compile(
    r"(?P<how>require_env|_required|optional_env|os\.environ\.get)\(\s*"
    r"(?:\"(?P<name>[A-Z0-9_]+)\"|(?P<constant>[A-Z0-9_]+_ENV))"
)
CONSTANT = re.compile(r"^(?P<constant>[A-Z0-9_]+_ENV) = \"(?P<name>[A-Z0-9_]+)\"", re.MULTILINE)


def _variables_read(folder: Path) -> tuple[set[str], set[str]]:
    """(every variable the code reads, the ones it cannot start without)."""
    constants_file = REPO / "lambdas" / "shared" / "python" / "shared" / "constants.py"
    constants = {m["constant"]: m["name"] for m in CONSTANT.finditer(constants_file.read_text())}
    read, required = set(), set()
    for source in folder.rglob("*.py"):
        for match in READ.finditer(source.read_text(encoding="utf-8")):
            name = match["name"] or constants[match["constant"]]
            read.add(name)
            if match["how"] in ("require_env", "_required"):
                required.add(name)
    return read, required


def test_function_environments_match_what_the_code_reads(templates: dict[str, Template]) -> None:
    for name, template in templates.items():
        for function in resources(template, "AWS::Serverless::Function"):
            folder = (template.path.parent / function.properties["CodeUri"]).resolve()
            read, required = _variables_read(folder)
            # The shared layer reads some variables on the functions' behalf.
            read |= _variables_read(REPO / "lambdas" / "shared")[0]
            given = set(function.properties["Environment"]["Variables"])
            assert given <= read, (name, given - read)
            assert required <= given, (name, required - given)
            assert read, name  # the pattern still finds the code's reads
