"""A synthetic manifest for the scheduling benchmarks: N workflows, a random DAG, and unequal
stack durations set per template through the sandbox's `Metadata.FireflySandbox.Latency`."""

from __future__ import annotations

import random
from pathlib import Path

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Metadata:
  FireflySandbox:
    Latency: {latency}{change_set}
Resources:
  Marker:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /bench/{project}/{name}
      Type: String
      Value: "{name}"
Outputs:
  Name:
    Value: !Ref Marker
"""


class FileTemplates:
    """The synthetic templates have no code to package: submitted as written."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def body(self, workflow: str, template: str) -> str:
        return (self._root / template).read_text(encoding="utf-8")

    def publish(self, workflow: str) -> None:
        pass  # nothing of their own to store


def write_manifest(
    folder: Path,
    *,
    project: str,
    count: int,
    seed: int,
    durations: tuple[float, float],
    linked: bool = True,
    change_set_latency: float | None = None,
) -> dict[str, float]:
    """Write the manifest and templates; return each workflow's stack latency. Without
    `linked`, the workflows are independent: all of them run at once. A change set takes
    `change_set_latency` when given, else (the sandbox's default) as long as its stack."""
    rng = random.Random(seed)
    names = [f"w{index:02d}" for index in range(count)]
    latency = {name: round(rng.uniform(*durations), 1) for name in names}
    lines = [
        "version: 1",
        f"project: {project}",
        "environments:",
        "  local: {region: us-east-1, sandbox: true}",
        "workflows:",
    ]
    for index, name in enumerate(names):
        (folder / "stacks").mkdir(parents=True, exist_ok=True)
        (folder / "stacks" / f"{name}.yaml").write_text(
            TEMPLATE.format(
                latency=latency[name],
                change_set=_change_set_setting(change_set_latency),
                project=project,
                name=name,
            ),
            encoding="utf-8",
        )
        earlier = names[max(0, index - 8) : index]
        needs = rng.sample(earlier, k=min(len(earlier), rng.randint(0, 2)))
        if not linked:
            needs = []
        lines += [
            f"  {name}:",
            "    type: cloudformation",
            f"    template: stacks/{name}.yaml",
            f"    description: Synthetic {name}",
        ]
        if needs:
            lines += ["    deploy:", "      needs:"]
            lines += [f"        {need}: synthetic dependency" for need in needs]
    (folder / "workflows.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return latency


def _change_set_setting(seconds: float | None) -> str:
    return "" if seconds is None else f"\n    ChangeSetLatency: {seconds}"
