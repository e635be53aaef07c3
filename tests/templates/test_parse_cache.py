"""A template's parse is kept on disk as JSON, keyed by its text, and read back exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import orchestrator.templates.model as model
from orchestrator.templates.loader import LocatedDict, parse_yaml
from orchestrator.templates.model import parse_template
from tests.templates.conftest import FUNC, dedent

WITH_EVERY_KIND = dedent("""
    AWSTemplateFormatVersion: 2010-09-09
    Parameters:
      Size: {Type: Number, Default: 3}
    Resources:
      Topic:
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !Sub "${AWS::StackName}-topic"
          Tags: [{Key: on, Value: 1.5}, {Key: off, Value: null}, !Ref Size]
    Outputs:
      Arn:
        Value: !GetAtt Topic.TopicArn
        Export: {Name: !Join ["-", [a, !Select [0, [x, y]]]]}
""")


@pytest.fixture(autouse=True)
def _cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("FIREFLY_CACHE_DIR", str(folder))
    return folder


def _located(value: Any) -> Any:
    """`value` with every mapping's own line and key lines, to compare parses exactly."""
    if isinstance(value, LocatedDict):
        return (
            value.line,
            {key: (value.line_of(key), _located(item)) for key, item in value.items()},
        )
    if isinstance(value, list):
        return [_located(item) for item in value]
    return (type(value).__name__, value)


def _parse_twice(tmp_path: Path, text: str) -> tuple[Any, Any]:
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    first, _ = parse_template(path, "template.yaml")
    second, _ = parse_template(path, "template.yaml")
    assert first is not None and second is not None
    return first.body, second.body


@pytest.mark.parametrize("text", [WITH_EVERY_KIND, FUNC], ids=["every-kind", "sam-function"])
def test_a_stored_parse_reads_back_as_the_yaml_parse(tmp_path: Path, text: str) -> None:
    composed, _ = parse_yaml(text, "template.yaml")
    first, second = _parse_twice(tmp_path, text)

    assert _located(first) == _located(composed)
    assert _located(second) == _located(composed)


def test_a_second_run_reads_the_parse_without_composing_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _cache_folder: Path
) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(WITH_EVERY_KIND, encoding="utf-8")
    parse_template(path, "template.yaml")

    def no_yaml(*_: object) -> None:
        raise AssertionError("the stored parse was not used")

    monkeypatch.setattr(model, "parse_yaml", no_yaml)
    template, problems = parse_template(path, "template.yaml")

    assert problems == [] and template is not None
    assert template.outputs() == {"Arn": 11}
    # JSON, never a pickle: the cache folder is what CI restores.
    (entry,) = (_cache_folder / "template-parses").iterdir()
    assert json.loads(entry.read_bytes())["l"] == 1


def test_a_value_json_cannot_hold_exactly_is_parsed_each_run(
    tmp_path: Path, _cache_folder: Path
) -> None:
    text = WITH_EVERY_KIND.replace("Default: 3", "Default: .nan")

    _, second = _parse_twice(tmp_path, text)

    assert not (_cache_folder / "template-parses").exists()
    assert str(second["Parameters"]["Size"]["Default"]) == "nan"


def test_an_unreadable_entry_is_parsed_again(tmp_path: Path, _cache_folder: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(WITH_EVERY_KIND, encoding="utf-8")
    parse_template(path, "template.yaml")
    (entry,) = (_cache_folder / "template-parses").iterdir()
    entry.write_text('{"not": "a mapping entry"}', encoding="utf-8")

    template, problems = parse_template(path, "template.yaml")

    assert problems == [] and template is not None
    assert template.outputs() == {"Arn": 11}


def test_a_template_with_problems_is_not_stored(tmp_path: Path, _cache_folder: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text("Resources: {A: {Type: X}, A: {Type: Y}}\n", encoding="utf-8")

    _, problems = parse_template(path, "template.yaml")

    assert [p.message for p in problems] == ["duplicate key 'A' (first set on line 1)"]
    assert not (_cache_folder / "template-parses").exists()


def _write_templates(tmp_path: Path, count: int) -> list[tuple[Path, str]]:
    files = []
    for number in range(count):
        path = tmp_path / f"t{number}.yaml"
        path.write_text(WITH_EVERY_KIND.replace("topic", f"topic-{number}"), encoding="utf-8")
        files.append((path, path.name))
    return files


def test_a_run_over_the_same_templates_reads_their_parses_as_one_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _cache_folder: Path
) -> None:
    files = _write_templates(tmp_path, 3)
    first = model.load_templates(files)
    monkeypatch.setattr(model, "_cache", {})  # the next run: nothing parsed in memory

    def one_by_one(*_: object) -> None:
        raise AssertionError("a template was read from its own entry, not from the set")

    monkeypatch.setattr(model, "cached_parse", one_by_one)
    monkeypatch.setattr(model, "parse_yaml", one_by_one)
    second = model.load_templates(files)

    assert [_located(t.body) for t, _ in second if t] == [_located(t.body) for t, _ in first if t]
    assert [t.text for t, _ in second if t] == [path.read_text() for path, _ in files]
    (entry,) = (_cache_folder / "template-parse-sets").iterdir()
    assert len(json.loads(entry.read_bytes())) == 3


def test_a_changed_template_is_not_read_from_the_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _write_templates(tmp_path, 2)
    model.load_templates(files)
    monkeypatch.setattr(model, "_cache", {})
    files[1][0].write_text(WITH_EVERY_KIND.replace("topic", "renamed"), encoding="utf-8")

    second = model.load_templates(files)

    template = second[1][0]
    assert template is not None
    assert "renamed" in str(template.body["Resources"]["Topic"]["Properties"]["TopicName"])
