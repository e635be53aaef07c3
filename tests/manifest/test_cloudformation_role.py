"""`environments.<env>.cloudformation_role`: the service role CloudFormation acts as."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from orchestrator.validation import load_checked

MANIFEST = """
    version: 1
    project: demo
    environments:
      dev:
        region: us-east-1
        account: "111111111111"
        {role}
    workflows:
      table: {{type: cloudformation, template: t.yaml, description: The table.}}
"""


@pytest.mark.parametrize(
    "role",
    [
        "arn:aws:iam::111111111111:role/firefly-cloudformation",
        "arn:aws-us-gov:iam::111111111111:role/deploy/firefly+cfn@dev",
        "arn:aws-cn:iam::111111111111:role/a_b=c,d.e",
    ],
)
def test_a_role_of_the_environments_account_is_read(
    write_manifest: Callable[[str], Path], role: str
) -> None:
    manifest = load_checked(write_manifest(MANIFEST.format(role=f"cloudformation_role: {role}")))

    assert manifest.environments["dev"].cloudformation_role == role


def test_without_one_stacks_run_under_the_callers_rights(
    write_manifest: Callable[[str], Path],
) -> None:
    manifest = load_checked(write_manifest(MANIFEST.format(role="")))

    assert manifest.environments["dev"].cloudformation_role is None
