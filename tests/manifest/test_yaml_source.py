"""The manifest is composed by libyaml and keeps the lines the pure-Python parser gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from orchestrator.manifest import yaml_source
from orchestrator.manifest.yaml_source import Located, LocatedMap, load_located
from tests.conftest import MANIFEST


def _lines(located: Located, path: str = "") -> list[tuple[str, int, object]]:
    """Every value's path, line and (for scalars) value, depth first."""
    value = located.value
    if isinstance(value, LocatedMap):
        found = [(path, located.line, None)]
        for key, child in value.items.items():
            found += [(f"{path}.{key}#", value.key_lines[key], None)]
            found += _lines(child, f"{path}.{key}")
        return found
    if isinstance(value, list):
        return [entry for i, child in enumerate(value) for entry in _lines(child, f"{path}[{i}]")]
    return [(path, located.line, value)]


@pytest.fixture(autouse=True)
def _own_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every parse here is a real one: nothing read back from another test's cache."""
    monkeypatch.setenv("FIREFLY_CACHE_DIR", str(tmp_path / "cache"))


def test_libyaml_gives_the_manifest_the_lines_of_the_pure_python_parser(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fast, fast_problems = load_located(MANIFEST, "workflows.yaml")
    monkeypatch.setattr(yaml_source, "FAST_LOADER", yaml.SafeLoader)
    monkeypatch.setenv("FIREFLY_CACHE_DIR", str(tmp_path / "another"))
    slow, slow_problems = load_located(MANIFEST, "workflows.yaml")

    assert yaml_source.FAST_LOADER is yaml.SafeLoader  # the patch took: the two differ
    assert fast is not None and slow is not None
    assert _lines(fast) == _lines(slow)
    assert len(_lines(fast)) > 100
    assert fast_problems == slow_problems == []


def test_the_manifest_is_composed_by_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    composed_by = []
    real_compose = yaml.compose

    def spy(text: str, Loader: type) -> object:  # PyYAML names it Loader
        composed_by.append(Loader)
        return real_compose(text, Loader=Loader)

    monkeypatch.setattr(yaml, "compose", spy)

    load_located(MANIFEST, "workflows.yaml")

    assert composed_by == [yaml.CSafeLoader]


def test_a_duplicate_key_is_found_by_the_libyaml_path_too(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("a: 1\nb:\n  c: 2\n  c: 3\n", encoding="utf-8")

    _, problems = load_located(path, "m.yaml")

    assert [(p.line, p.field, p.message) for p in problems] == [
        (4, "c", "duplicate key (first set on line 3)")
    ]


def test_a_stored_tree_reads_back_as_the_composed_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    composed, _ = load_located(MANIFEST, "workflows.yaml")

    def no_yaml(*_: object, **__: object) -> None:
        raise AssertionError("the stored tree was not used")

    monkeypatch.setattr(yaml, "compose", no_yaml)
    stored, problems = load_located(MANIFEST, "workflows.yaml")

    assert composed is not None and stored is not None and problems == []
    assert _lines(stored) == _lines(composed)
    # JSON, never a pickle: the cache folder is what CI restores.
    (entry,) = (tmp_path / "cache" / "manifest-trees").iterdir()
    assert json.loads(entry.read_bytes())["n"] == composed.line


def test_a_tree_json_cannot_hold_exactly_is_composed_each_run(tmp_path: Path) -> None:
    path = tmp_path / "workflows.yaml"
    path.write_text("version: 1\nreleased: 2026-01-02\n", encoding="utf-8")

    load_located(path, "workflows.yaml")
    again, _ = load_located(path, "workflows.yaml")

    assert again is not None and isinstance(again.value, LocatedMap)
    assert str(again.value.items["released"].value) == "2026-01-02"
    assert not (tmp_path / "cache" / "manifest-trees").exists()


def test_a_manifest_with_problems_is_not_stored(tmp_path: Path) -> None:
    path = tmp_path / "workflows.yaml"
    path.write_text("version: 1\nversion: 2\n", encoding="utf-8")

    load_located(path, "workflows.yaml")
    _, problems = load_located(path, "workflows.yaml")

    assert [p.message for p in problems] == ["duplicate key (first set on line 1)"]
    assert not (tmp_path / "cache" / "manifest-trees").exists()
