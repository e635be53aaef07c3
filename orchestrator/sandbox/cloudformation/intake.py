"""A template as a stack operation receives it: body, parameters, transform, checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from orchestrator.sandbox.cloudformation import errors, handlers, sam
from orchestrator.sandbox.cloudformation.operations import Desired
from orchestrator.sandbox.cloudformation.template import parse, resolve_parameters, validate

IAM_TYPES = frozenset(
    {
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::User",
        "AWS::IAM::Group",
        "AWS::IAM::InstanceProfile",
        "AWS::IAM::AccessKey",
        "AWS::IAM::UserToGroupAddition",
    }
)
NAME_PROPERTIES = ("RoleName", "ManagedPolicyName", "UserName", "GroupName", "InstanceProfileName")


@dataclass
class Intake:
    body: str
    desired: Desired


def template_body(request: dict[str, Any], account_id: str, previous: str | None) -> str:
    """TemplateBody, the object at TemplateURL, or the stack's template (UsePreviousTemplate)."""
    if request.get("TemplateBody"):
        return str(request["TemplateBody"])
    if request.get("TemplateURL"):
        from moto.cloudformation.utils import get_stack_from_s3_url

        url = _path_style_on_loopback(str(request["TemplateURL"]))
        return str(get_stack_from_s3_url(url, account_id=account_id, partition="aws"))
    if str(request.get("UsePreviousTemplate")).lower() == "true" and previous is not None:
        return previous
    raise errors.validation("Either Template URL or Template Body must be specified.")


def _path_style_on_loopback(url: str) -> str:
    """A URL of this engine's own S3 (http://127.0.0.1:PORT/bucket/key) names the bucket in
    its path; moto only reads it so for a host spelled "localhost"."""
    parts = urlsplit(url)
    if parts.hostname in ("127.0.0.1", "::1"):
        return urlunsplit(parts._replace(netloc=f"localhost:{parts.port or 80}"))
    return url


def take(
    request: dict[str, Any],
    account_id: str,
    region: str,
    previous_body: str | None = None,
    previous_parameters: dict[str, str] | None = None,
) -> Intake:
    """Parse, resolve parameters, expand the SAM transform and validate: every error here is a
    ValidationError of the call itself, and no stack is made."""
    body = template_body(request, account_id, previous_body)
    original = parse(body)
    parameters = resolve_parameters(original, request.get("Parameters") or [], previous_parameters)
    processed = original
    unsupported = [t for t in sam.transforms(original) if t != sam.SAM_TRANSFORM]
    if unsupported:
        raise errors.validation(
            f"Transform {unsupported[0]} is not supported by the firefly sandbox "
            f"(only {sam.SAM_TRANSFORM})"
        )
    if sam.needs_transform(original):
        try:
            processed = sam.translate(original, parameters, region)
        except sam.TransformFailed as exc:
            exc.partial = Intake(body, Desired(original, parameters, body))
            raise
        parameters = resolve_parameters(
            processed, request.get("Parameters") or [], previous_parameters
        )
    validate(processed, handlers.has_attribute)
    check_capabilities(processed, request.get("Capabilities") or [])
    return Intake(body, Desired(processed, parameters, body))


def check_capabilities(template: dict[str, Any], capabilities: list[str]) -> None:
    """IAM resources need CAPABILITY_IAM, named ones CAPABILITY_NAMED_IAM, as on AWS."""
    iam = [r for r in template["Resources"].values() if (r or {}).get("Type") in IAM_TYPES]
    if not iam or "CAPABILITY_NAMED_IAM" in capabilities:
        return
    named = any(key in (r.get("Properties") or {}) for r in iam for key in NAME_PROPERTIES)
    needed = "CAPABILITY_NAMED_IAM" if named else "CAPABILITY_IAM"
    if named or "CAPABILITY_IAM" not in capabilities:
        raise errors.InsufficientCapabilities(f"Requires capabilities : [{needed}]")
