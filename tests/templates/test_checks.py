"""Templates against the manifest: present, parseable, same parameters, real outputs, real code."""

from __future__ import annotations

from orchestrator.templates import (
    check_code_uris,
    check_outputs,
    check_parameters,
    check_templates_parse,
)
from tests.templates.conftest import FUNC, MANIFEST, TABLE, Project, lines_of


def test_the_good_project_passes_every_check(project: Project) -> None:
    manifest = project()

    for check in (check_templates_parse, check_parameters, check_outputs, check_code_uris):
        assert list(check(manifest)) == []


def test_a_missing_template_is_reported_at_the_manifests_template_line(project: Project) -> None:
    manifest = project(func=None)

    assert lines_of(check_templates_parse(manifest)) == [
        "workflows.yaml:16: workflows.func.template: template 'stacks/func/template.yaml' not "
        "found (relative to the manifest's folder); create it or fix the path"
    ]


def test_a_template_that_does_not_parse_is_reported_in_the_template(project: Project) -> None:
    manifest = project(table=TABLE.replace("    Type: String", "    Type: [String"))

    problems = list(check_templates_parse(manifest))

    assert len(problems) == 1
    assert problems[0].file == "stacks/table/template.yaml"
    assert problems[0].line == 5
    assert "YAML syntax error" in problems[0].message


def test_a_manifest_parameter_the_template_does_not_declare(project: Project) -> None:
    manifest = project(MANIFEST.replace("TableName: demo-table", "TableNam: demo-table"))

    assert lines_of(check_parameters(manifest)) == [
        "workflows.yaml:12: workflows.table.parameters: stacks/table/template.yaml requires "
        "TableName (no Default); give each a source here",
        "workflows.yaml:13: workflows.table.parameters.TableNam: stacks/table/template.yaml "
        "declares no parameter TableNam; it declares: TableName",
    ]


def test_a_required_parameter_may_be_left_out_once_it_has_a_default(project: Project) -> None:
    with_default = FUNC.replace("    Type: String", "    Type: String\n    Default: t")
    unset = MANIFEST.replace("    parameters:\n      TableName: {output: table.TableName}\n", "")
    manifest = project(unset, func=with_default)

    assert list(check_parameters(manifest)) == []


def test_an_output_the_producer_does_not_declare(project: Project) -> None:
    manifest = project(MANIFEST.replace("{output: table.TableName}", "{output: table.TableArn}"))

    assert lines_of(check_outputs(manifest)) == [
        "workflows.yaml:19: workflows.func.parameters.TableName.output: "
        "stacks/table/template.yaml (workflow table) declares no output TableArn; it declares: "
        "TableName"
    ]


def test_a_code_uri_to_a_missing_folder(project: Project) -> None:
    manifest = project(func=FUNC.replace("lambdas/func", "lambdas/fnuc"))

    problems = list(check_code_uris(manifest))

    assert len(problems) == 1
    assert str(problems[0]).startswith(
        "stacks/func/template.yaml:10: Resources.Function.Properties.CodeUri: "
        "'../../lambdas/fnuc' is not an existing folder"
    )


def test_a_code_uri_outside_lambdas(project: Project) -> None:
    manifest = project(func=FUNC.replace("../../lambdas/func", "../../stacks"))

    assert lines_of(check_code_uris(manifest)) == [
        "stacks/func/template.yaml:10: Resources.Function.Properties.CodeUri: '../../stacks' is "
        "outside lambdas/; Lambda sources live in lambdas/<function>"
    ]


def test_a_code_uri_in_s3_or_computed_is_not_packaged_by_firefly(project: Project) -> None:
    layer = (
        "  Layer:\n"
        "    Type: AWS::Serverless::LayerVersion\n"
        "    Properties:\n"
        "      ContentUri: !Sub s3://bucket/${TableName}.zip\n"
    )
    manifest = project(func=FUNC.replace("../../lambdas/func", "s3://bucket/func.zip") + layer)

    assert lines_of(check_code_uris(manifest)) == [
        "stacks/func/template.yaml:10: Resources.Function.Properties.CodeUri: must be a folder "
        "path relative to the template (firefly builds and uploads it), such as "
        "../../lambdas/<function>",
        "stacks/func/template.yaml:19: Resources.Layer.Properties.ContentUri: must be a folder "
        "path relative to the template (firefly builds and uploads it), such as "
        "../../lambdas/<function>",
    ]


def test_a_global_code_uri_is_checked_too(project: Project) -> None:
    globals_section = "Globals:\n  Function:\n    CodeUri: ../../lambdas/gone\n"
    manifest = project(func=FUNC.replace("Parameters:", globals_section + "Parameters:", 1))

    problems = list(check_code_uris(manifest))

    assert [(p.line, p.field) for p in problems] == [(5, "Globals.Function.CodeUri")]
