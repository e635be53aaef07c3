"""The repository's GitHub workflow files, read as a YAML 1.1 reader (PyYAML) sees them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"


def workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def load(path: Path | str) -> dict[str, Any]:
    data = yaml.safe_load(Path(WORKFLOWS / path).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    """The `on:` section; YAML 1.1 reads the bare key `on` as the boolean true."""
    section = workflow.get("on", workflow.get(True))
    assert isinstance(section, dict)
    return section


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]
