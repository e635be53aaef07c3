"""Secrets on the sandbox: nothing firefly stores in AWS lets a guess be confirmed, a stack with
secrets is still found unchanged (by its empty change set), and no output path shows a secret."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestrator.engine.fingerprint import TAG
from tests.conftest import CliResult
from tests.e2e.conftest import read_report

SECRET = "hush-vault-7f3a9c21"
GUESSES = ("hush-vault-00000000", "hush-vault-7f3a9c20", "hush-vault")
MANIFEST = f"""
    version: 1
    project: hush
    environments:
      local:
        region: us-east-1
        sandbox: true
        secrets: {{VAULT_BUCKET: {SECRET}}}
    workflows:
      vault:
        type: cloudformation
        template: vault.yaml
        description: A bucket whose name is a secret
        parameters:
          BucketName: {{secret: VAULT_BUCKET}}
          Purpose: {{env: name}}
      plain:
        type: cloudformation
        template: plain.yaml
        description: Nothing secret
      clash:
        type: cloudformation
        template: vault.yaml
        description: The same bucket again, which fails and names it
        deploy: {{needs: {{vault: The bucket must exist for the clash}}}}
        parameters:
          BucketName: {{secret: VAULT_BUCKET}}
          Purpose: {{env: name}}
    """
VAULT = """
Parameters:
  BucketName: {Type: String, NoEcho: true}
  Purpose: {Type: String}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    DeletionPolicy: Delete
    UpdateReplacePolicy: Delete
    Properties:
      BucketName: !Ref BucketName
      Tags: [{Key: purpose, Value: !Ref Purpose}]
Outputs:
  BucketArn: {Value: !GetAtt Bucket.Arn}
"""
PLAIN = """
Resources:
  P:
    Type: AWS::SSM::Parameter
    Properties: {Name: /hush/plain, Type: String, Value: plain}
"""

Firefly = Callable[..., CliResult]


@pytest.fixture
def hush(
    on_engine: None, firefly: Firefly, write_manifest: Callable[[str], Path]
) -> Iterator[Callable[..., CliResult]]:
    path = write_manifest(MANIFEST)
    (path.parent / "vault.yaml").write_text(VAULT, encoding="utf-8")
    (path.parent / "plain.yaml").write_text(PLAIN, encoding="utf-8")

    def run(*argv: str) -> CliResult:
        return firefly(*argv, "--manifest", str(path))

    yield run
    run("delete", "--env", "local", "--yes")


def stored_in_aws(aws: Callable[[str], Any]) -> dict[str, Any]:
    """What firefly left in AWS that anyone with read access sees: the stack's tags and
    parameters, its template, and every object version in the artifact bucket (the lock's
    included)."""
    cfn, s3 = aws("cloudformation"), aws("s3")
    stack = cfn.describe_stacks(StackName="hush-vault")["Stacks"][0]
    objects = []
    bucket = "hush-artifacts-local"
    versions = s3.list_object_versions(Bucket=bucket)
    for version in versions.get("Versions", []):
        body = s3.get_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])
        objects.append((version["Key"], body["Body"].read().decode("utf-8", "replace")))
    return {
        "tags": {t["Key"]: t["Value"] for t in stack.get("Tags", [])},
        "parameters": stack.get("Parameters", []),
        "template": cfn.get_template(StackName="hush-vault")["TemplateBody"],
        "objects": objects,
    }


def old_fingerprint(body: str, secret: str, tags: dict[str, str]) -> str:
    """The unsalted fingerprint firefly stored before: a guess recomputed it."""
    payload = json.dumps(
        {
            "template": body,
            "parameters": {"BucketName": secret, "Purpose": "local"},
            "tags": {k: v for k, v in sorted(tags.items()) if k != TAG},
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def test_nothing_stored_in_aws_confirms_a_guessed_secret(
    hush: Firefly, aws: Callable[[str], Any]
) -> None:
    assert hush("deploy", "--env", "local", "--only", "vault").code == 0

    stored = stored_in_aws(aws)
    text = json.dumps(stored, default=str)
    assert isinstance(stored["template"], str)  # YAML comes back as submitted
    assert SECRET not in text
    for candidate in (SECRET, *GUESSES):
        assert hashlib.sha256(candidate.encode()).hexdigest()[:32] not in text
        assert old_fingerprint(stored["template"], candidate, stored["tags"]) not in text
    hidden = {
        p["ParameterValue"] for p in stored["parameters"] if p["ParameterKey"] == "BucketName"
    }
    assert hidden == {"****"}


def test_no_output_path_shows_a_secret(
    hush: Firefly, aws: Callable[[str], Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary, outputs, docs = tmp_path / "summary.md", tmp_path / "outputs.txt", tmp_path / "docs"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    shown = [hush("deploy", "--env", "local", "--only", "vault", "--report", str(tmp_path / "1"))]
    monkeypatch.delenv("GITHUB_ACTIONS")
    # A failure, with its stack events and reason: progress lines and the result.
    shown.append(
        hush("deploy", "--env", "local", "--only", "clash", "--report", str(tmp_path / "2"))
    )
    aws("s3").put_object(Bucket=SECRET, Key="kept", Body=b"x")  # the delete plan names it
    shown += [
        hush("plan", "--env", "local"),
        hush("status", "--env", "local"),
        hush("outputs", "--env", "local", "vault"),
        hush("outputs", "--env", "local", "vault", "--json"),
        hush("docs", "--out", str(docs)),
        hush("delete", "--env", "local", "--yes", "--report", str(tmp_path / "3")),
        hush(
            "delete", "--env", "local", "--yes", "--empty-buckets", "--report", str(tmp_path / "4")
        ),
    ]

    assert [r.code for r in shown][:2] == [0, 1]
    printed = "\n".join(
        line
        for r in shown
        for line in (r.out + r.err).splitlines()
        if not line.startswith("::add-mask::")  # what GitHub masks: the one place it must show
    )
    written = [p.read_text() for p in (summary, outputs, *docs.glob("*.md"))]
    written += [(tmp_path / n).read_text() for n in "1234"]
    assert SECRET not in printed
    assert all(SECRET not in text for text in written)
    # where the secret was, the mask is: outputs, the delete plan and its blockers
    assert "arn:aws:s3:::***" in printed and "emptying bucket ***" in printed
    assert "arn:aws:s3:::***" in (tmp_path / "1").read_text() + outputs.read_text()
    assert "bucket *** holds 1 object version(s)" in (tmp_path / "3").read_text()


def test_a_stack_with_secrets_is_unchanged_through_its_change_set_only(
    hush: Firefly, tmp_path: Path
) -> None:
    assert hush("deploy", "--env", "local", "--only", "vault", "--only", "plain").code == 0
    report = tmp_path / "again.json"

    again = hush(
        "deploy", "--env", "local", "--only", "vault", "--only", "plain", "--report", str(report)
    )

    assert again.code == 0, again.err
    data = read_report(report)
    assert {w: r["status"] for w, r in data["workflows"].items()} == {
        "vault": "unchanged",
        "plain": "unchanged",
    }
    calls = data["api_calls"]
    assert calls.get("cloudformation:CreateChangeSet") == 1  # vault's, found empty
    assert "cloudformation:ExecuteChangeSet" not in calls


def test_a_stack_without_secrets_costs_no_call_beyond_the_sweep(
    hush: Firefly, tmp_path: Path
) -> None:
    assert hush("deploy", "--env", "local", "--only", "plain").code == 0
    report = tmp_path / "again.json"

    assert hush("deploy", "--env", "local", "--only", "plain", "--report", str(report)).code == 0

    calls = read_report(report)["api_calls"]
    assert {c for c in calls if c.startswith("cloudformation:")} == {
        "cloudformation:DescribeStacks"
    }
