"""The run's redactor: whole secret values masked anywhere, short ones refused up front."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from orchestrator.engine.redaction import Redactor, environment_redactor
from orchestrator.engine.results import RunResult, WorkflowResult, WorkflowStatus
from orchestrator.errors import ExitCode, UsageError
from orchestrator.manifest import load_manifest

MANIFEST = """
    version: 1
    project: demo
    environments:
      local: {region: us-east-1, sandbox: true, secrets: {TOKEN: %s}}
    workflows:
      func:
        type: cloudformation
        template: f.yaml
        description: The function
        parameters: {Token: {secret: TOKEN}}
    """


def test_every_occurrence_is_masked_and_nothing_else() -> None:
    redact = Redactor(["vault-bucket-42"])

    assert redact("arn:aws:s3:::vault-bucket-42/key and vault-bucket-42") == (
        "arn:aws:s3:::***/key and ***"
    )
    assert redact("an unrelated line about vaults and buckets") == (
        "an unrelated line about vaults and buckets"
    )


def test_overlapping_secrets_are_masked_whole() -> None:
    redact = Redactor(["abcdefgh", "abcdefgh-longer"])

    assert redact("x abcdefgh-longer y abcdefgh") == "x *** y ***"


def test_a_url_encoded_secret_is_masked_too() -> None:
    assert Redactor(["p@ss word!"])("GET /p%40ss%20word%21 failed") == "GET /*** failed"


def test_a_run_is_masked_in_its_outputs_errors_and_abort_reason() -> None:
    redact = Redactor(["vault-bucket-42"])
    run = RunResult(
        "dev",
        "deploy",
        {
            "w": WorkflowResult(
                "w",
                WorkflowStatus.FAILED,
                outputs={"Arn": "arn:aws:s3:::vault-bucket-42"},
                error="bucket vault-bucket-42 exists",
            )
        },
        aborted="vault-bucket-42 unreachable",
    )

    shown = redact.run(run)

    assert "vault-bucket-42" not in repr(shown)
    assert shown.results["w"].error == "bucket *** exists"


def test_a_short_secret_is_refused_with_one_line(write_manifest: Callable[[str], Path]) -> None:
    manifest = load_manifest(write_manifest(MANIFEST % "short"))

    with pytest.raises(UsageError) as refused:
        environment_redactor(manifest, "local", {})

    assert refused.value.exit_code is ExitCode.USAGE
    assert refused.value.lines() == [
        f"secret TOKEN of environment local (from {manifest.display} "
        "environments.local.secrets) is shorter than 8 characters, too short to be masked in "
        "firefly's output; give it a value of at least 8 characters"
    ]


def test_a_short_secret_from_the_process_environment_says_so(
    write_manifest: Callable[[str], Path],
) -> None:
    manifest = load_manifest(write_manifest(MANIFEST % "long-enough-1"))

    with pytest.raises(UsageError, match="TOKEN of environment local \\(from the process"):
        environment_redactor(manifest, "local", {"TOKEN": "abc"})
    assert environment_redactor(manifest, "local", {}).values == ("long-enough-1",)
