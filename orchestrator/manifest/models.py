"""The manifest as frozen, typed data: what `workflows.yaml` declares once it has been checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class WorkflowType(StrEnum):
    SAM = "sam"
    CLOUDFORMATION = "cloudformation"
    TESTS = "tests"


@dataclass(frozen=True)
class Dependency:
    """`workflow` must be deployed (or deleted) first, for `reason`."""

    workflow: str
    reason: str
    line: int


@dataclass(frozen=True)
class OutputRef:
    """`{output: W.Key}`: the stack output `key` of workflow `workflow` in the same environment."""

    workflow: str
    key: str


@dataclass(frozen=True)
class VarRef:
    """`{var: NAME}`: the environment's `vars`, overridable by the process variable NAME."""

    name: str


@dataclass(frozen=True)
class SecretRef:
    """`{secret: NAME}`: the process variable NAME, or a sandbox environment's literal."""

    name: str


@dataclass(frozen=True)
class EnvRef:
    """`{env: name|region|account}`: an attribute of the target environment."""

    attribute: str


@dataclass(frozen=True)
class LiteralValue:
    value: str


ParameterSource = OutputRef | VarRef | SecretRef | EnvRef | LiteralValue


@dataclass(frozen=True)
class Parameter:
    name: str
    source: ParameterSource
    line: int


@dataclass(frozen=True)
class Adoption:
    """A resource the deploy may IMPORT when it exists without its stack."""

    logical_id: str
    identifier: Mapping[str, str]
    line: int


@dataclass(frozen=True)
class Workflow:
    name: str
    type: WorkflowType
    description: str
    template: str | None
    deploy_needs: tuple[Dependency, ...]
    delete_needs: tuple[Dependency, ...]
    parameters: tuple[Parameter, ...]
    adopt: tuple[Adoption, ...]
    line: int

    @property
    def has_stack(self) -> bool:
        return self.type is not WorkflowType.TESTS

    def output_refs(self) -> list[tuple[Parameter, OutputRef]]:
        return [(p, p.source) for p in self.parameters if isinstance(p.source, OutputRef)]


@dataclass(frozen=True)
class Environment:
    name: str
    region: str
    account: str | None
    sandbox: bool
    protected: bool
    vars: Mapping[str, str]
    # repr=False: a secret must never reach a log line through a repr.
    secrets: Mapping[str, str] = field(repr=False)
    line: int = 0
    # The IAM role CloudFormation acts as for this environment's stacks (RoleARN), so that
    # whoever runs firefly needs no rights on the resources themselves; None: their own.
    cloudformation_role: str | None = None


@dataclass(frozen=True)
class Manifest:
    path: Path
    display: str
    version: int
    project: str
    stack_name_template: str
    environments: Mapping[str, Environment]
    workflows: Mapping[str, Workflow]
    line_of_environments: int = 0

    @property
    def root(self) -> Path:
        """Template and source paths are relative to the manifest's folder."""
        return self.path.parent

    def stack_name(self, workflow: str, env: str | None = None) -> str:
        """The stack name of `workflow`; without an environment `{env}` stays a placeholder."""
        return self.stack_name_template.format(
            workflow=workflow, project=self.project, env=env if env is not None else "{env}"
        )
