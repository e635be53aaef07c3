"""Mermaid sequence diagrams of one workflow's deploy and delete, as firefly runs them."""

from __future__ import annotations

from orchestrator.docs.sources import output_lookups
from orchestrator.manifest.models import Manifest, Workflow, WorkflowType


def deploy_sequence(manifest: Manifest, workflow: Workflow) -> str:
    lines = ["sequenceDiagram", "    participant F as firefly"]
    if workflow.type is WorkflowType.TESTS:
        lines += [
            "    participant T as Integration suite",
            "    participant E as Environment",
            "    F->>T: run against the environment",
            "    T->>E: exercise the flows",
            "    T-->>F: passed / failed",
        ]
        return "\n".join(lines)
    lines.append("    participant CFN as CloudFormation")
    if workflow.type is WorkflowType.SAM:
        lines.append("    participant S3 as Artifact bucket")
    for upstream, keys in output_lookups(workflow).items():
        lines.append(f"    F->>CFN: DescribeStacks {manifest.stack_name(upstream)}")
        lines.append(f"    CFN-->>F: {', '.join(keys)}")
    if workflow.type is WorkflowType.SAM:
        lines += ["    F->>F: SAM build", "    F->>S3: upload artifacts not stored yet"]
    stack = manifest.stack_name(workflow.name)
    if workflow.adopt:
        lines += _adopt_alternatives(stack)
    else:
        lines += _change_set(stack)
    return "\n".join(lines)


def _change_set(stack: str, indent: str = "    ") -> list[str]:
    return [
        f"{indent}F->>CFN: CreateChangeSet {stack}",
        f"{indent}CFN-->>F: changes (none: unchanged)",
        f"{indent}F->>CFN: ExecuteChangeSet",
        f"{indent}CFN-->>F: CREATE_COMPLETE / UPDATE_COMPLETE",
    ]


def _adopt_alternatives(stack: str) -> list[str]:
    inner = "        "
    return [
        "    F->>CFN: DescribeStacks " + stack,
        "    alt stack exists",
        *_change_set(stack, inner),
        "    else resource exists, stack does not",
        f"{inner}F->>CFN: CreateChangeSet IMPORT (template without Outputs)",
        f"{inner}F->>CFN: ExecuteChangeSet",
        f"{inner}CFN-->>F: IMPORT_COMPLETE",
        *_change_set(stack, inner),
        "    else neither exists",
        *_change_set(stack, inner),
        "    end",
    ]


def delete_sequence(manifest: Manifest, workflow: Workflow) -> str:
    stack = manifest.stack_name(workflow.name)
    lines = [
        "sequenceDiagram",
        "    participant F as firefly",
        "    participant CFN as CloudFormation",
    ]
    if workflow.type is WorkflowType.SAM:
        lines.append("    participant S3 as Artifact bucket")
    lines += [f"    F->>CFN: DeleteStack {stack}", "    CFN-->>F: DELETE_COMPLETE"]
    if workflow.type is WorkflowType.SAM:
        lines.append("    F->>S3: delete the artifacts uploaded for this stack")
    return "\n".join(lines)
