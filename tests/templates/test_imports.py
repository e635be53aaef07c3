"""A template that imports another stack's export must be ordered after it by the manifest."""

from __future__ import annotations

from orchestrator.templates import check_import_values
from tests.templates.conftest import FUNC, MANIFEST, TABLE, Project, lines_of

EXPORTING = TABLE + '    Export:\n      Name: !Sub "${AWS::StackName}-TableName"\n'
IMPORTING = FUNC + "      Description: !ImportValue demo-table-TableName\n"
# The function no longer takes the table's output, so nothing orders it after the table.
UNORDERED = MANIFEST.replace("    parameters:\n      TableName: {output: table.TableName}\n", "")


def test_an_import_from_a_workflow_it_needs_passes(project: Project) -> None:
    manifest = project(table=EXPORTING, func=IMPORTING)

    assert list(check_import_values(manifest)) == []


def test_an_import_without_a_manifest_edge_is_flagged(project: Project) -> None:
    manifest = project(UNORDERED, table=EXPORTING, func=IMPORTING)

    assert lines_of(check_import_values(manifest)) == [
        "stacks/func/template.yaml:16: Fn::ImportValue: imports 'demo-table-TableName' from "
        "workflow table, but func does not need it; add workflows.func.deploy.needs.table"
    ]


def test_a_computed_import_name_is_matched_as_a_pattern(project: Project) -> None:
    importing = FUNC + '      Description: !ImportValue {"Fn::Sub": "${TableName}-TableName"}\n'
    manifest = project(UNORDERED, table=EXPORTING, func=importing)

    problems = list(check_import_values(manifest))

    assert [p.message.split(",")[0] for p in problems] == [
        "imports '*-TableName' from workflow table"
    ]


def test_an_import_nobody_exports_is_flagged(project: Project) -> None:
    importing = FUNC + "      Description: !ImportValue somebody-elses-export\n"
    manifest = project(table=EXPORTING, func=importing)

    assert lines_of(check_import_values(manifest)) == [
        "stacks/func/template.yaml:16: Fn::ImportValue: imports 'somebody-elses-export', which "
        "no workflow's template exports; firefly cannot order this stack after its producer"
    ]
