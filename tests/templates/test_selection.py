"""The checks a deploy, plan or delete runs first: validate's, on the workflows they selected."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from orchestrator.errors import ManifestError
from orchestrator.manifest import Manifest
from orchestrator.templates import Scope, check_import_values, check_outputs
from orchestrator.validation import FULL_CHECKS, check_selected, load_checked
from tests.conftest import CliResult
from tests.templates.conftest import MANIFEST, TABLE, Project, lines_of
from tests.templates.test_imports import EXPORTING, IMPORTING

OUTPUT_TYPO = MANIFEST.replace("{output: table.TableName}", "{output: table.TableArn}")
UNDECLARED = MANIFEST.replace("TableName: demo-table", "TableName: demo-table\n      Extra: x")


def broken_everywhere(project: Project) -> Manifest:
    """table: an undeclared parameter and no DeletionPolicy; func: a Lambda syntax error."""
    manifest = project(UNDECLARED, table=TABLE.replace("    DeletionPolicy: Delete\n", ""))
    Path("lambdas/func/app.py").write_text("def (:\n", encoding="utf-8")
    return manifest


def selected_problems(manifest: Manifest, workflows: list[str]) -> list[str]:
    with pytest.raises(ManifestError) as raised:
        check_selected(manifest, workflows)
    return raised.value.lines()


def test_every_problem_of_the_selected_workflows_at_once(project: Project) -> None:
    manifest = broken_everywhere(project)

    assert selected_problems(manifest, ["table", "func"]) == [
        "lambdas/func/app.py:1: Python syntax error: invalid syntax",
        "stacks/table/template.yaml:6: Resources.Table: AWS::DynamoDB::Table holds data: state "
        "'DeletionPolicy: Retain' (kept when the stack goes) or 'DeletionPolicy: Delete'",
        "workflows.yaml:14: workflows.table.parameters.Extra: stacks/table/template.yaml "
        "declares no parameter Extra; it declares: TableName",
    ]


def test_a_problem_outside_the_selection_is_not_reported(project: Project) -> None:
    manifest = broken_everywhere(project)

    assert selected_problems(manifest, ["func"]) == [
        "lambdas/func/app.py:1: Python syntax error: invalid syntax"
    ]
    assert [line.split(":")[0] for line in selected_problems(manifest, ["table"])] == [
        "stacks/table/template.yaml",
        "workflows.yaml",
    ]


def test_validate_keeps_checking_every_workflow(project: Project) -> None:
    manifest = project(UNDECLARED)

    problems = [p for check in FULL_CHECKS for p in check(manifest, Scope())]

    assert [p.field for p in problems] == ["workflows.table.parameters.Extra"]


def test_the_outputs_of_a_producer_outside_the_scope_are_read(project: Project) -> None:
    manifest = project(OUTPUT_TYPO)

    assert lines_of(check_outputs(manifest, Scope(frozenset({"func"})))) == [
        "workflows.yaml:19: workflows.func.parameters.TableName.output: "
        "stacks/table/template.yaml (workflow table) declares no output TableArn; it declares: "
        "TableName"
    ]
    assert list(check_outputs(manifest, Scope(frozenset({"table"})))) == []


def test_the_export_of_a_workflow_outside_the_scope_is_found(project: Project) -> None:
    manifest = project(table=EXPORTING, func=IMPORTING)

    assert list(check_import_values(manifest, Scope(frozenset({"func"})))) == []


@pytest.mark.parametrize("run", ["validate", "selected", "command"])
def test_a_run_of_checks_reads_each_template_once(
    project: Project,
    monkeypatch: pytest.MonkeyPatch,
    firefly: Callable[..., CliResult],
    run: str,
) -> None:
    import orchestrator.templates.stacks as stacks

    read = []
    real_load = stacks.load_templates

    def counted_load(files: list[tuple[Path, str]]) -> object:
        read.extend(display for _, display in files)
        return real_load(files)

    monkeypatch.setattr(stacks, "load_templates", counted_load)
    project()

    if run == "validate":
        load_checked(Path("workflows.yaml"), FULL_CHECKS)
    elif run == "command":  # its checks, then the warnings of the same templates
        assert firefly("validate").code == 0
    else:
        check_selected(load_checked(Path("workflows.yaml")), ["func"])

    assert sorted(read) == ["stacks/func/template.yaml", "stacks/table/template.yaml"]
