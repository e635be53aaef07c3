"""The `environments:` section: where each environment deploys and what it passes in."""

from __future__ import annotations

import re
from types import MappingProxyType

from orchestrator.manifest.models import Environment
from orchestrator.manifest.reader import Reader, join_field
from orchestrator.manifest.yaml_source import Located

NAME = re.compile(r"[a-z][a-z0-9-]*")
NAME_RULE = "lowercase letters, digits and '-', starting with a letter"
VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
VARIABLE_RULE = "letters, digits and '_', as an environment variable name"
ACCOUNT = re.compile(r"\d{12}")
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")
# An IAM role ARN in any partition (aws, aws-cn, aws-us-gov), with an optional path; the name's
# characters are IAM's (docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html).
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::(?P<account>\d{12}):role/[\w+=,.@/-]+")
ROLE_ARN_RULE = "an IAM role ARN such as arn:aws:iam::123456789012:role/firefly-cloudformation"

KEYS = ("region", "account", "sandbox", "protected", "cloudformation_role", "vars", "secrets")


def read_environments(reader: Reader, located: Located) -> dict[str, Environment]:
    node = reader.mapping(located, "environments")
    if node is None:
        return {}
    if not node.items:
        reader.problem(located.line, "environments", "declare at least one environment")
    reader.names(node, "environments", NAME, NAME_RULE)
    environments = {}
    for name, value in node.items.items():
        environment = _read_environment(reader, name, value)
        if environment is not None:
            environments[name] = environment
    return environments


def _read_environment(reader: Reader, name: str, located: Located) -> Environment | None:
    field = f"environments.{name}"
    node = reader.mapping(located, field)
    if node is None:
        return None
    reader.known_keys(node, field, KEYS, required=("region",))
    items = node.items
    # None when the flag itself is wrong: the checks that depend on it then stay silent.
    sandbox = reader.flag(items["sandbox"], f"{field}.sandbox") if "sandbox" in items else False
    protected = (
        reader.flag(items["protected"], f"{field}.protected") if "protected" in items else False
    )
    region = None
    if "region" in items:
        region = reader.text(
            items["region"], f"{field}.region", REGION, "an AWS region such as us-east-1"
        )
    account = _read_account(reader, field, items.get("account"), sandbox, node.line)
    role = _read_role(reader, field, items.get("cloudformation_role"), account)
    variables = _read_values(reader, items.get("vars"), f"{field}.vars")
    secrets = _read_values(reader, items.get("secrets"), f"{field}.secrets")
    if secrets and sandbox is False:
        line = items["secrets"].line
        reader.problem(
            line,
            f"{field}.secrets",
            "literal secrets are only allowed in sandbox environments; pass them as "
            "process environment variables (GitHub Actions secrets) instead",
        )
    return Environment(
        name=name,
        region=region or "",
        account=account,
        sandbox=bool(sandbox),
        protected=bool(protected),
        vars=MappingProxyType(variables),
        secrets=MappingProxyType(secrets),
        line=located.line,
        cloudformation_role=role,
    )


def _read_role(
    reader: Reader, field: str, located: Located | None, account: str | None
) -> str | None:
    """The CloudFormation service role, of the environment's own account: a role elsewhere is a
    mistake far more often than a design, and is caught here rather than by the first change set."""
    if located is None:
        return None
    role_field = f"{field}.cloudformation_role"
    role = reader.text(located, role_field, ROLE_ARN, ROLE_ARN_RULE)
    found = ROLE_ARN.fullmatch(role or "")
    if found is None or account is None or found.group("account") == account:
        return role
    reader.problem(
        located.line,
        role_field,
        f"the role is in account {found.group('account')}, the environment in {account}; "
        "name a role of the environment's own account",
    )
    return None


def _read_account(
    reader: Reader, field: str, located: Located | None, sandbox: bool | None, line: int
) -> str | None:
    if sandbox is None:
        return None
    if located is None:
        if not sandbox:
            reader.problem(
                line,
                field,
                "missing required key 'account' (the 12-digit AWS account "
                "id; firefly refuses to deploy when the credentials are for another)",
            )
        return None
    if sandbox:
        reader.problem(
            located.line,
            f"{field}.account",
            "a sandbox environment runs on the local engine and has no account",
        )
        return None
    if isinstance(located.value, int) and not isinstance(located.value, bool):
        # Unquoted, YAML reads the id as a number and drops its leading zeros.
        reader.problem(
            located.line,
            f"{field}.account",
            'quote the account id ("012345678901"): unquoted it is read as a number',
        )
        return None
    return reader.text(located, f"{field}.account", ACCOUNT, "12 digits")


def _read_values(reader: Reader, located: Located | None, field: str) -> dict[str, str]:
    """A NAME: value mapping; problems name the key and the type, never the value (secrets)."""
    if located is None:
        return {}
    node = reader.mapping(located, field)
    if node is None:
        return {}
    reader.names(node, field, VARIABLE, VARIABLE_RULE)
    values = {}
    for key, value in node.items.items():
        text = reader.scalar_text(value, join_field(field, key))
        if text is not None:
            values[key] = text
    return values
