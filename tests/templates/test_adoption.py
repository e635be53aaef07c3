"""Adopted resources are importable and retained; every table and bucket states its fate."""

from __future__ import annotations

import pytest

from orchestrator.templates import check_adoptions, check_data_retention
from tests.templates.conftest import MANIFEST, TABLE, Project, lines_of

ADOPTING = MANIFEST.replace(
    "      TableName: demo-table\n",
    "      TableName: demo-table\n    adopt:\n      Table: {TableName: demo-table}\n",
)
ADOPT_LINE = 15
RETAINED = (
    TABLE.replace("DeletionPolicy: Delete", "DeletionPolicy: Retain")
    .replace("UpdateReplacePolicy: Delete", "UpdateReplacePolicy: Retain")
    .replace("TableName: !Ref TableName", "TableName: demo-table")
)


def adoption_problems(
    project: Project, manifest: str = ADOPTING, table: str = RETAINED
) -> list[str]:
    return lines_of(check_adoptions(project(manifest, table=table)))


def test_an_importable_retained_resource_with_its_static_name_passes(project: Project) -> None:
    assert adoption_problems(project) == []


def test_an_adopted_resource_the_template_lacks(project: Project) -> None:
    manifest = ADOPTING.replace("      Table: {TableName", "      Tabel: {TableName")

    assert adoption_problems(project, manifest) == [
        "stacks/table/template.yaml:6: Resources.Table: workflow table adopts resources, and an "
        "IMPORT cannot create Table; adopt it too or move it to another stack",
        f"workflows.yaml:{ADOPT_LINE}: workflows.table.adopt.Tabel: stacks/table/template.yaml "
        "has no resource Tabel; it has: Table",
    ]


def test_a_type_cloudformation_cannot_import(project: Project) -> None:
    topic = RETAINED.replace("AWS::DynamoDB::Table", "AWS::SNS::Topic")

    problems = adoption_problems(project, table=topic)

    assert len(problems) == 1
    assert problems[0].startswith(
        f"workflows.yaml:{ADOPT_LINE}: workflows.table.adopt.Table: AWS::SNS::Topic cannot be "
        "adopted; firefly imports AWS::DynamoDB::Table, "
    )


@pytest.mark.parametrize("policy", ["    DeletionPolicy: Delete\n", ""])
def test_an_adopted_resource_must_be_retained(project: Project, policy: str) -> None:
    table = RETAINED.replace("    DeletionPolicy: Retain\n", policy)

    assert adoption_problems(project, table=table) == [
        f"workflows.yaml:{ADOPT_LINE}: workflows.table.adopt.Table: Table needs 'DeletionPolicy: "
        "Retain' in stacks/table/template.yaml: an IMPORT requires a DeletionPolicy, and an "
        "adopted resource must outlive its stack"
    ]


def test_the_identifier_keys_must_be_the_types(project: Project) -> None:
    manifest = ADOPTING.replace("{TableName: demo-table}", "{BucketName: demo-table}")

    assert adoption_problems(project, manifest) == [
        f"workflows.yaml:{ADOPT_LINE}: workflows.table.adopt.Table: AWS::DynamoDB::Table is "
        "identified by TableName; give exactly {TableName: ...}"
    ]


def test_the_identifier_must_match_the_templates_static_name(project: Project) -> None:
    manifest = ADOPTING.replace("{TableName: demo-table}", "{TableName: other-table}")

    assert adoption_problems(project, manifest) == [
        f"workflows.yaml:{ADOPT_LINE}: workflows.table.adopt.Table: TableName is 'other-table' "
        "here but 'demo-table' in stacks/table/template.yaml; an adopted resource needs the same "
        "static name in both"
    ]


def test_a_computed_name_cannot_be_adopted(project: Project) -> None:
    computed = RETAINED.replace("TableName: demo-table", "TableName: !Ref TableName")

    assert adoption_problems(project, table=computed) == [
        f"workflows.yaml:{ADOPT_LINE}: workflows.table.adopt.Table: TableName is 'demo-table' "
        "here but not a fixed name in stacks/table/template.yaml; an adopted resource needs the "
        "same static name in both"
    ]


def test_a_table_without_a_deletion_policy(project: Project) -> None:
    table = TABLE.replace("    DeletionPolicy: Delete\n", "")

    assert lines_of(check_data_retention(project(table=table))) == [
        "stacks/table/template.yaml:6: Resources.Table: AWS::DynamoDB::Table holds data: state "
        "'DeletionPolicy: Retain' (kept when the stack goes) or 'DeletionPolicy: Delete'"
    ]


def test_tables_and_buckets_with_a_deletion_policy_pass(project: Project) -> None:
    assert list(check_data_retention(project())) == []
