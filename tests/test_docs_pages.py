"""The generated workflow pages read right: one link style, no repeated row, the right words."""

from __future__ import annotations

import re

import pytest

from orchestrator.docs.pages import workflow_page
from orchestrator.graph import delete_graph, deploy_graph
from orchestrator.manifest import load_manifest
from tests.conftest import MANIFEST

LINKED_ROW = re.compile(r"^\| \[(?P<name>[a-z0-9-]+)\]\((?P=name)\.md\) \| .+ \|$")


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    manifest = load_manifest(MANIFEST)
    deploy = deploy_graph(manifest)
    delete = delete_graph(manifest, deploy)
    return {
        name: workflow_page(manifest, deploy, delete, workflow)
        for name, workflow in manifest.workflows.items()
    }


def _section(page: str, title: str) -> list[str]:
    lines = page.split(f"\n### {title}\n", 1)[1].split("\n#", 1)[0]
    return [line for line in lines.splitlines() if line.startswith("| ") and "---" not in line]


@pytest.mark.parametrize(
    "title",
    ["Deploy Dependencies", "Delete Dependencies", "Required By Deploy", "Required By Delete"],
)
def test_every_dependency_row_links_to_the_workflow_page(pages: dict[str, str], title: str) -> None:
    rows = [row for page in pages.values() for row in _section(page, title)[1:]]

    assert rows, f"no {title} rows at all"
    assert [row for row in rows if not LINKED_ROW.match(row)] == []


def test_failure_scenarios_are_each_listed_once(pages: dict[str, str]) -> None:
    page = pages["func-api-devices-register-post"]
    scenarios = [
        line.split(" | ")[0] for line in page.split("## Failure Scenarios")[1].splitlines()[4:]
    ]

    assert len(scenarios) == len(set(scenarios))
    assert "| `TableName` lookup from `dynamodb-devices` fails" in scenarios
    assert "| `TableName` lookup from `dynamodb-registration-keys` fails" in scenarios


def test_a_layer_page_speaks_of_the_layer(pages: dict[str, str]) -> None:
    build = "`requirements.txt`, zipped reproducibly and uploaded under content-hash keys."

    assert f"- SAM build: each layer's sources with its {build}" in pages["shared-layer"]
    assert f"- SAM build: each function's sources with its {build}" in pages["func-status"]
