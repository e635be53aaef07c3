"""Templates are read with CloudFormation's short-form tags and keep their line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from orchestrator.templates import LocatedDict, load_template, loader, parse_yaml
from tests.templates.conftest import dedent

SHORT_FORMS = dedent("""
    AWSTemplateFormatVersion: 2010-09-09
    Conditions:
      IsProd: !Equals [!Ref Env, prd]
      NotProd: !Not [!Condition IsProd]
      Both: !And [!Condition IsProd, !Or [!Condition NotProd, !Condition IsProd]]
    Resources:
      Thing:
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !Sub "${AWS::StackName}-topic"
          Arn: !GetAtt Other.Outputs.Value
          Joined: !Join ["-", [a, !Select [0, !Split [",", "x,y"]]]]
          Mapped: !FindInMap [Map, !Ref "AWS::Region", Key]
          Imported: !ImportValue shared-export
          Zones: !GetAZs ""
          Data: !Base64 hello
          Cidrs: !Cidr [10.0.0.0/16, 2, 8]
          Picked: !If [IsProd, one, two]
          Fragment: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}
    """)


def test_short_forms_become_their_long_forms() -> None:
    body, problems = parse_yaml(SHORT_FORMS, "t.yaml")

    assert problems == []
    properties = body["Resources"]["Thing"]["Properties"]
    assert properties["TopicName"] == {"Fn::Sub": "${AWS::StackName}-topic"}
    assert properties["Arn"] == {"Fn::GetAtt": ["Other", "Outputs.Value"]}
    assert properties["Joined"] == {
        "Fn::Join": ["-", ["a", {"Fn::Select": [0, {"Fn::Split": [",", "x,y"]}]}]]
    }
    assert properties["Mapped"] == {"Fn::FindInMap": ["Map", {"Ref": "AWS::Region"}, "Key"]}
    assert properties["Imported"] == {"Fn::ImportValue": "shared-export"}
    assert properties["Zones"] == {"Fn::GetAZs": ""}
    assert properties["Data"] == {"Fn::Base64": "hello"}
    assert properties["Cidrs"] == {"Fn::Cidr": ["10.0.0.0/16", 2, 8]}
    assert properties["Picked"] == {"Fn::If": ["IsProd", "one", "two"]}
    assert properties["Fragment"] == {
        "Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}
    }
    conditions = body["Conditions"]
    assert conditions["IsProd"] == {"Fn::Equals": [{"Ref": "Env"}, "prd"]}
    assert conditions["NotProd"] == {"Fn::Not": [{"Condition": "IsProd"}]}
    assert conditions["Both"]["Fn::And"][1] == {
        "Fn::Or": [{"Condition": "NotProd"}, {"Condition": "IsProd"}]
    }


def test_mappings_remember_their_lines() -> None:
    body, _ = parse_yaml(SHORT_FORMS, "t.yaml")

    assert isinstance(body, LocatedDict)
    assert body.line_of("Resources") == 6
    thing = body["Resources"]["Thing"]
    assert body["Resources"].line_of("Thing") == 7
    assert thing["Properties"].line_of("Imported") == 14
    assert thing["Properties"]["Imported"].line == 14


def test_a_date_like_version_stays_text() -> None:
    body, _ = parse_yaml(SHORT_FORMS, "t.yaml")

    assert body["AWSTemplateFormatVersion"] == "2010-09-09"


def test_duplicate_keys_and_unknown_tags_are_problems_at_their_line() -> None:
    text = dedent("""
        Resources:
          A:
            Type: AWS::SNS::Topic
          A:
            Type: AWS::SQS::Queue
        Outputs:
          X:
            Value: !Reff A
        """)

    _, problems = parse_yaml(text, "t.yaml")

    assert [str(p) for p in problems] == [
        "t.yaml:4: duplicate key 'A' (first set on line 2)",
        "t.yaml:8: unknown tag !Reff; CloudFormation's short forms are !Ref, !Sub, !GetAtt, "
        "!If, !Join, ...",
    ]


def test_a_syntax_error_names_its_line() -> None:
    _, problems = parse_yaml("Resources:\n  A: [unclosed\n", "t.yaml")

    assert len(problems) == 1
    assert problems[0].line == 3
    assert "YAML syntax error" in problems[0].message


def test_a_template_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")

    template, problems = load_template(path, "template.yaml")

    assert template is None
    assert [str(p) for p in problems] == [
        "template.yaml:1: a template must be a mapping with a Resources section"
    ]


def test_a_template_is_parsed_once_per_version(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text("Resources: {}\n", encoding="utf-8")

    first, _ = load_template(path, "template.yaml")
    again, _ = load_template(path, "template.yaml")
    path.write_text("Resources: {A: {Type: AWS::SNS::Topic}}\n", encoding="utf-8")
    changed, _ = load_template(path, "template.yaml")

    assert first is again
    assert changed is not None and "A" in changed.resources()


def _lines(value: object) -> list[tuple[int, dict[str, int]]]:
    """Every mapping's line and key lines, depth first."""
    found = []
    if isinstance(value, dict):
        if isinstance(value, LocatedDict):
            found.append((value.line, dict(value.key_lines)))
        for item in value.values():
            found += _lines(item)
    elif isinstance(value, list):
        for item in value:
            found += _lines(item)
    return found


def test_libyaml_reads_templates_with_the_lines_of_the_pure_python_parser() -> None:
    fast, fast_problems = loader._load(loader._FastLoader, SHORT_FORMS)
    slow, slow_problems = loader._load(loader._Loader, SHORT_FORMS)

    assert issubclass(loader._FastLoader, yaml.CSafeLoader)  # libyaml, not the Python parser
    assert fast == slow
    assert _lines(fast) == _lines(slow)
    assert len(_lines(fast)) > 10
    assert fast_problems == slow_problems == []


def test_a_syntax_error_reads_as_the_pure_python_parser_words_it() -> None:
    text = "Resources:\n  Thing: [a, b\n  Other: c\n"
    with pytest.raises(yaml.MarkedYAMLError) as raised:
        yaml.load(text, Loader=yaml.SafeLoader)

    _, problems = parse_yaml(text, "t.yaml")

    assert [(p.line, p.message) for p in problems] == [
        (raised.value.problem_mark.line + 1, f"YAML syntax error: {raised.value.problem}")
    ]
