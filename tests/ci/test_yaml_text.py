"""The YAML writer: whatever it writes, a YAML reader reads back as exactly what was given."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestrator.ci.yaml_text import Commented, dump, scalar

# Keys as the generator uses them; `on` is covered by its own test.
keys = st.text(min_size=1, max_size=12).filter(lambda key: key != "on")
scalars = st.one_of(st.text(max_size=40), st.integers(), st.booleans())
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
    ),
    max_leaves=12,
)


# No per-example deadline and no too-slow check: both time the examples, and on a loaded
# machine a correct writer would fail them.
UNTIMED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read(text: str) -> Any:
    return yaml.safe_load(text)


@UNTIMED
@given(st.dictionaries(keys, documents, min_size=1, max_size=4))
def test_documents_read_back_exactly(document: dict[str, Any]) -> None:
    assert read(dump(document)) == document


@UNTIMED
@given(st.text(max_size=60))
def test_any_string_reads_back_exactly(text: str) -> None:
    assert read(f"value: {scalar(text)}") == {"value": text}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("${{ inputs.environment }}", "${{ inputs.environment }}"),
        ("${{ !cancelled() }}", "${{ !cancelled() }}"),
        ("firefly-${{ inputs.environment }}", "firefly-${{ inputs.environment }}"),
        ("3.11", "'3.11'"),
        ("on", "'on'"),
        ("yes", "'yes'"),
        ("", "''"),
        ("it's", "it's"),
        ("a: b", "'a: b'"),
        ("'quoted'", "'''quoted'''"),
        ("line\twith tab", '"line\\x09with tab"'),
        ("2026-12-02", "'2026-12-02'"),
        ("=", "'='"),
        (True, "true"),
        (20, "20"),
    ],
)
def test_scalars_are_quoted_only_when_a_reader_needs_it(value: str | int | bool, text: str) -> None:
    assert scalar(value) == text


def test_layout_reads_like_a_hand_written_workflow() -> None:
    document = {
        "on": {"workflow_dispatch": {}},
        "jobs": {
            "a": {"steps": [{"uses": "actions/checkout@v4", "with": {"fetch-depth": 1}}]},
            "b": {"needs": ["a"], "steps": [{"run": "echo one\necho two\n"}]},
        },
    }

    text = dump(document, header=["Generated.", ""], spaced=((), ("jobs",)))

    assert text == (
        "# Generated.\n"
        "#\n"
        "\n"
        "on:\n"
        "  workflow_dispatch: {}\n"
        "\n"
        "jobs:\n"
        "  a:\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "        with:\n"
        "          fetch-depth: 1\n"
        "\n"
        "  b:\n"
        "    needs:\n"
        "      - a\n"
        "    steps:\n"
        "      - run: |\n"
        "          echo one\n"
        "          echo two\n"
    )
    # GitHub reads the bare key `on` as a string; a YAML 1.1 reader sees the boolean true.
    assert read(text)[True] == {"workflow_dispatch": {}}


@UNTIMED
@given(st.text(max_size=40), st.text(alphabet=st.characters(codec="ascii"), max_size=20))
def test_a_commented_value_reads_back_as_its_value(value: str, comment: str) -> None:
    comment = "".join(character for character in comment if character.isprintable())

    text = dump({"uses": Commented(value, comment)})

    assert read(text) == {"uses": value}
    assert text.rstrip("\n").endswith(f" # {comment}")


def test_a_pinned_action_carries_its_tag_after_the_sha() -> None:
    step = {"uses": Commented("actions/checkout@" + "a" * 40, "v4.2.2")}

    assert dump({"steps": [step]}) == f"steps:\n  - uses: actions/checkout@{'a' * 40} # v4.2.2\n"
