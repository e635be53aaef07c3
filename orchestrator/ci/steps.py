"""The pieces every job that runs firefly in GitHub Actions shares, derived from the manifest.

The hand-written `deploy.yml` and `delete.yml` use the same actions, versions and `env:` passing;
tests hold both to these constants and to the manifest.
"""

from __future__ import annotations

import shlex
from collections.abc import Collection
from dataclasses import dataclass

from orchestrator.ci.actions import AWS_CREDENTIALS, CHECKOUT, SETUP_PYTHON, UPLOAD_ARTIFACT
from orchestrator.ci.yaml_text import Node
from orchestrator.errors import UsageError
from orchestrator.manifest.models import Manifest, SecretRef, VarRef

PYTHON_VERSION = "3.11"
RUNNER = "ubuntu-latest"
DEFAULT_MANIFEST = "workflows.yaml"
REPORT = "firefly-report.json"
LOCK_FILE = "requirements.lock"
# The exact, hashed dependencies first; then firefly alone, built by the setuptools just
# installed from the lock, so no unhashed package runs in a job that can assume the deploy role.
INSTALL = (
    f"pip install --require-hashes -r {LOCK_FILE}\npip install --no-deps --no-build-isolation .\n"
)
# The chosen environment reaches a shell only through a variable: an expression inside `run:`
# is pasted into the script before the shell parses it (GitHub's script-injection advice).
ENVIRONMENT_INPUT = "${{ inputs.environment }}"
ENVIRONMENT = "$ENVIRONMENT"
DEPLOY_ROLE = "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
# Upper bounds, never reached by a healthy run; GitHub's default is 6 hours of a runner that
# holds the environment's lock and the deploy role's credentials.
WORKFLOW_JOB_MINUTES = 60
UNLOCK_JOB_MINUTES = 15
CONFIRM_JOB_MINUTES = 5


@dataclass(frozen=True)
class Passing:
    """The process variables firefly reads, as GitHub passes them: `vars.NAME`, `secrets.NAME`."""

    vars: tuple[str, ...]
    secrets: tuple[str, ...]

    def env(self) -> dict[str, Node]:
        passed: dict[str, Node] = {name: f"${{{{ vars.{name} }}}}" for name in self.vars}
        passed.update({name: f"${{{{ secrets.{name} }}}}" for name in self.secrets})
        return passed

    def unset_empty(self) -> str:
        """Shell lines that unset every passed variable GitHub left empty.

        GitHub expands an undefined variable or secret to an empty string; firefly must see it
        unset instead, to fall back to the manifest's value of a var or to name the missing
        secret, rather than deploy an empty parameter.
        """
        names = (*self.vars, *self.secrets)
        if not names:
            return ""
        return (
            shell_line(["for name in", *names[:-1], f"{names[-1]}; do"]) + "\n"
            '  if [ -z "${!name:-}" ]; then unset "$name"; fi\n'
            "done\n"
        )


def shell_line(units: list[str], width: int = 88) -> str:
    """`units` joined by spaces, continued with a backslash before a line grows past `width`.

    A unit (an option with its value) is never split, so each line reads on its own.
    """
    lines = [units[0]]
    for unit in units[1:]:
        if len(lines[-1]) + 1 + len(unit) > width:
            lines.append(f"    {unit}")
        else:
            lines[-1] += f" {unit}"
    return " \\\n".join(lines)


def passing(manifest: Manifest, workflows: Collection[str] | None = None) -> Passing:
    """Every `{var: NAME}` and `{secret: NAME}` of `workflows` (default: all of the manifest's),
    each under its own name."""
    secrets = set()
    variables = set()
    for workflow in manifest.workflows.values():
        if workflows is not None and workflow.name not in workflows:
            continue
        for parameter in workflow.parameters:
            if isinstance(parameter.source, SecretRef):
                secrets.add(parameter.source.name)
            elif isinstance(parameter.source, VarRef):
                variables.add(parameter.source.name)
    # A name read as a secret somewhere is never also passed from the non-secret `vars`.
    return Passing(tuple(sorted(variables - secrets)), tuple(sorted(secrets)))


def github_environments(manifest: Manifest) -> list[str]:
    """The environments GitHub Actions may target: all but the sandbox ones, in manifest order."""
    names = [name for name, env in manifest.environments.items() if not env.sandbox]
    if not names:
        raise UsageError(
            f"{manifest.display}: every environment is a sandbox; GitHub Actions "
            "needs one with an AWS account to deploy to"
        )
    return names


def aws_region(manifest: Manifest) -> str:
    """The region of the chosen environment, as a literal when all of them share one."""
    regions = {name: manifest.environments[name].region for name in github_environments(manifest)}
    if len(set(regions.values())) == 1:
        return next(iter(regions.values()))
    # `a && b || c` is the expression language's conditional; regions are never empty.
    choices = " || ".join(
        f"inputs.environment == '{name}' && '{region}'" for name, region in regions.items()
    )
    return f"${{{{ {choices} }}}}"


def environment_input(manifest: Manifest, description: str) -> dict[str, Node]:
    return {
        "description": description,
        "required": True,
        "type": "choice",
        "options": list(github_environments(manifest)),
    }


def setup_steps(manifest: Manifest, session: str) -> list[Node]:
    """Checkout, Python, firefly, and short-lived AWS credentials through OIDC."""
    return [
        {"uses": CHECKOUT.uses},
        {
            "uses": SETUP_PYTHON.uses,
            "with": {
                "python-version": PYTHON_VERSION,
                "cache": "pip",
                "cache-dependency-path": LOCK_FILE,
            },
        },
        {"name": "Install firefly from the hashed lock file", "run": INSTALL},
        {
            "name": "AWS credentials (OIDC)",
            "uses": AWS_CREDENTIALS.uses,
            "with": {
                "role-to-assume": DEPLOY_ROLE,
                "role-session-name": f"{session}-${{{{ github.run_id }}}}",
                "aws-region": aws_region(manifest),
            },
        },
    ]


def manifest_option(manifest: Manifest) -> list[str]:
    """`--manifest NAME` when the manifest is not the default file beside `.github/`."""
    name = manifest.path.name
    return [] if name == DEFAULT_MANIFEST else [f"--manifest {shlex.quote(name)}"]


def upload_step(artifact: str) -> Node:
    return {
        "name": "Upload the report",
        # The report of a failed run is the one most worth reading.
        "if": "${{ !cancelled() }}",
        "uses": UPLOAD_ARTIFACT.uses,
        "with": {"name": artifact, "path": REPORT, "if-no-files-found": "warn"},
    }
