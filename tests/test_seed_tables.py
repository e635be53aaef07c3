"""The dependency tables of seeds 000 and 001 come out of workflows.yaml exactly.

The tables are read from the seed documents themselves, so the test follows them if they change,
and compared with `firefly graph --format json` and with the pages `firefly docs` writes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from orchestrator.docs import render_docs
from orchestrator.manifest.models import Manifest
from tests.conftest import REPO, CliResult

SEEDS = REPO / "tests" / "data" / "seeds"  # copies of shared/seeds; see its README
SECTIONS = (
    "Deploy Dependencies",
    "Delete Dependencies",
    "Required By Deploy",
    "Required By Delete",
)
Table = dict[str, str]


def seed_tables(path: Path) -> tuple[str, dict[str, Table]]:
    """The workflow a seed describes and its four dependency tables (workflow -> reason)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    tables: dict[str, Table] = {}
    current: str | None = None
    for line in lines:
        if line.strip() in SECTIONS:
            current = line.strip()
            tables[current] = {}
        elif current and line.startswith("| ") and not line.startswith("| Workflow |"):
            workflow, reason = (cell.strip() for cell in line.strip("| ").split(" | "))
            tables[current][workflow.removeprefix("delete-")] = reason
        elif current and not line.startswith("|") and not line.startswith("None"):
            current = None
    return lines[0].strip(), tables


SEED_FILES = sorted(SEEDS.glob("00[01]_*.txt"))


def test_the_seeds_are_found() -> None:
    # Without this, a lost copy would skip the comparisons silently.
    assert len(SEED_FILES) == 2, f"seeds 000 and 001 not found in {SEEDS}"


@pytest.mark.parametrize("seed", SEED_FILES, ids=[p.name[:3] for p in SEED_FILES])
def test_graph_json_has_the_seed_tables(seed: Path, firefly: Callable[..., CliResult]) -> None:
    workflow, tables = seed_tables(seed)
    assert set(tables) == set(SECTIONS) and any(tables.values())  # the seed was read
    result = firefly("graph", "--format", "json", "--manifest", str(REPO / "workflows.yaml"))
    assert result.code == 0
    data = json.loads(result.out)
    deploy, delete = data["deploy"]["needs"], data["delete"]["needs"]

    def required_by(needs: dict[str, Table]) -> Table:
        return {other: reasons[workflow] for other, reasons in needs.items() if workflow in reasons}

    assert deploy[workflow] == tables["Deploy Dependencies"]
    assert delete[workflow] == tables["Delete Dependencies"]
    assert required_by(deploy) == tables["Required By Deploy"]
    assert required_by(delete) == tables["Required By Delete"]


@pytest.mark.parametrize("seed", SEED_FILES, ids=[p.name[:3] for p in SEED_FILES])
def test_generated_page_has_the_seed_tables(seed: Path, repo_manifest: Manifest) -> None:
    workflow, tables = seed_tables(seed)
    page = render_docs(repo_manifest)[f"{workflow}.md"]

    for section, rows in tables.items():
        heading = re.search(rf"^#+ {section}$", page, re.MULTILINE)
        assert heading, f"{section} missing from {workflow}.md"
        body = page[heading.end() :].split("\n#", 1)[0]
        page_rows = dict(
            re.findall(
                r"^\| \[?(?:delete-)?([\w-]+)\]?(?:\([^)]*\))? \| (.+) \|$", body, re.MULTILINE
            )
        )
        page_rows.pop("Workflow", None)
        assert page_rows == rows, section
        if not rows:
            assert "None" in body
