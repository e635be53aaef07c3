"""The repository's templates carry issue 16's protections: TLS-only and versioned firmware
buckets, expiring and origin-bound QR uploads, throttled and logged API stages, point-in-time
recovery on the tables that hold records, and bucket-name parameters held to S3's naming rules."""

from __future__ import annotations

import re
from typing import Any

import pytest

from orchestrator.manifest import load_manifest
from orchestrator.templates import Template, stack_templates
from tests.conftest import MANIFEST
from tests.templates.test_repository import only, resources

BUCKET_NAMES_OK = ("abc", "firefly-qr-uploads-local", "a.b-c", "1" * 63)
BUCKET_NAMES_REFUSED = ("ab", "a" * 64, "Firefly", "-abc", "abc-", "abc.", "a_b", "")


@pytest.fixture(scope="module")
def templates() -> dict[str, Template]:
    found = stack_templates(load_manifest(MANIFEST))
    return {s.workflow.name: s.template for s in found if s.template is not None}


def test_the_public_firmware_bucket_refuses_plain_http(templates: dict[str, Template]) -> None:
    template = templates["s3-firmware"]
    policy = next(
        p
        for p in resources(template, "AWS::S3::BucketPolicy")
        if p.properties["Bucket"] == {"Ref": "FirmwarePublicBucket"}
    )
    statements = policy.properties["PolicyDocument"]["Statement"]
    [deny] = [s for s in statements if s.get("Sid") == "DenyInsecureTransport"]

    assert (deny["Effect"], deny["Principal"]) == ("Deny", "*")
    assert deny["Action"] == "s3:*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == [
        {"Fn::GetAtt": ["FirmwarePublicBucket", "Arn"]},
        {"Fn::Sub": "${FirmwarePublicBucket.Arn}/*"},
    ]


def test_both_firmware_buckets_are_versioned(templates: dict[str, Template]) -> None:
    buckets = list(resources(templates["s3-firmware"], "AWS::S3::Bucket"))

    assert len(buckets) == 2
    for bucket in buckets:
        assert bucket.properties["VersioningConfiguration"] == {"Status": "Enabled"}


def test_qr_uploads_expire_after_seven_days(templates: dict[str, Template]) -> None:
    bucket = only(templates["s3-qr-uploads"], "AWS::S3::Bucket")

    [rule] = bucket.properties["LifecycleConfiguration"]["Rules"]
    assert (rule["Status"], rule["Prefix"], rule["ExpirationInDays"]) == (
        "Enabled",
        "session-uploads/",
        7,
    )


def test_qr_upload_cors_allows_the_parameter_s_origins_only(
    templates: dict[str, Template],
) -> None:
    template = templates["s3-qr-uploads"]
    bucket = only(template, "AWS::S3::Bucket")
    parameter = template.body["Parameters"]["AllowedOrigins"]

    [rule] = bucket.properties["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedOrigins"] == {"Ref": "AllowedOrigins"}
    assert parameter["Type"] == "CommaDelimitedList"
    assert re.fullmatch(parameter["AllowedPattern"], "https://app.example.com")
    assert re.fullmatch(parameter["AllowedPattern"], "http://localhost:3000")
    assert not re.fullmatch(parameter["AllowedPattern"], "*")


@pytest.mark.parametrize("workflow", ["api-gateway", "websocket-api"])
def test_api_stages_are_throttled_and_log_access_for_30_days(
    templates: dict[str, Template], workflow: str
) -> None:
    template = templates[workflow]
    stage = only(template, "AWS::ApiGatewayV2::Stage")
    log_group = only(template, "AWS::Logs::LogGroup")

    settings = stage.properties["DefaultRouteSettings"]
    assert settings["ThrottlingBurstLimit"] > 0
    assert settings["ThrottlingRateLimit"] > 0
    access = stage.properties["AccessLogSettings"]
    assert access["DestinationArn"] == {"Fn::GetAtt": [log_group.logical_id, "Arn"]}
    assert "$context.requestId" in access["Format"]
    assert log_group.properties["RetentionInDays"] == 30


@pytest.mark.parametrize(
    "workflow", ["dynamodb-registration-keys", "dynamodb-builds", "dynamodb-assemblies"]
)
def test_record_tables_have_point_in_time_recovery(
    templates: dict[str, Template], workflow: str
) -> None:
    table = only(templates[workflow], "AWS::DynamoDB::Table")

    assert table.properties["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": True
    }


def _bucket_name_parameters(templates: dict[str, Template]) -> list[tuple[str, str, Any]]:
    return [
        (workflow, name, parameter)
        for workflow, template in templates.items()
        for name, parameter in (template.body.get("Parameters") or {}).items()
        if name.endswith("BucketName")
    ]


def test_bucket_name_parameters_follow_s3_naming_rules(templates: dict[str, Template]) -> None:
    parameters = _bucket_name_parameters(templates)

    assert len(parameters) == 8
    for workflow, name, parameter in parameters:
        pattern = parameter["AllowedPattern"]
        assert parameter["ConstraintDescription"].startswith("must be an S3 bucket name"), name
        for good in BUCKET_NAMES_OK:
            assert re.fullmatch(pattern, good), (workflow, name, good)
        for bad in BUCKET_NAMES_REFUSED:
            # seed 000: the public bucket may be left empty for the function
            if bad == "" and parameter.get("Default") == "":
                continue
            assert not re.fullmatch(pattern, bad), (workflow, name, bad)
