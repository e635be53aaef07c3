"""cfn-lint runs on every template: errors are problems at their line, warnings are kept apart."""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path

import pytest

from orchestrator.cfn_lint_worker import lint_texts
from orchestrator.errors import ManifestError
from orchestrator.templates import check_cfn_lint, template_warnings
from orchestrator.validation import FULL_CHECKS, load_checked
from tests.templates.conftest import FUNC, TABLE, Project, dedent

# Not a billing mode DynamoDB knows: a schema error (E3030) on line 12.
BAD_BILLING = TABLE.replace("BillingMode: PAY_PER_REQUEST", "BillingMode: FREE_OF_CHARGE")
# A parameter nothing uses: cfn-lint's W2001, a warning.
UNUSED_PARAMETER = TABLE.replace("Parameters:\n", "Parameters:\n  Unused:\n    Type: String\n")


def test_the_good_project_has_no_findings(project: Project) -> None:
    manifest = project()

    assert list(check_cfn_lint(manifest)) == []
    assert template_warnings(manifest) == []


def test_a_cfn_lint_error_is_a_problem_at_its_template_line(project: Project) -> None:
    problems = list(check_cfn_lint(project(table=BAD_BILLING)))

    found = {(p.file, p.line, p.field): p.message for p in problems}
    assert "FREE_OF_CHARGE" in found[("stacks/table/template.yaml", 12, "cfn-lint E3030")]


def test_a_sam_template_is_linted_after_its_transform(project: Project) -> None:
    func = FUNC.replace("Runtime: python3.11", "Runtime: python3.11\n      MemorySize: 1")

    problems = list(check_cfn_lint(project(func=func)))

    assert [(p.file, p.field) for p in problems] == [
        ("stacks/func/template.yaml", "cfn-lint E3034")
    ]


def test_a_cfn_lint_warning_is_not_an_error(project: Project) -> None:
    manifest = project(table=UNUSED_PARAMETER)

    assert list(check_cfn_lint(manifest)) == []
    warnings = template_warnings(manifest)
    assert [(w.file, w.line, w.field) for w in warnings] == [
        ("stacks/table/template.yaml", 3, "cfn-lint W2001")
    ]


def test_full_validation_refuses_a_cfn_lint_error(project: Project) -> None:
    project(table=BAD_BILLING)

    with pytest.raises(ManifestError) as raised:
        load_checked(Path("workflows.yaml"), FULL_CHECKS)

    assert "stacks/table/template.yaml:12: cfn-lint E3030" in {
        ": ".join(line.split(": ")[0:2]) for line in raised.value.lines()
    }


def test_lint_results_are_kept_on_disk_by_template_text(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import orchestrator.templates.lint as lint

    monkeypatch.setenv("FIREFLY_CACHE_DIR", str(tmp_path / "cache"))
    manifest = project(table=BAD_BILLING)
    first = list(check_cfn_lint(manifest))
    lint._cache.clear()  # a new process: only the disk remembers

    def must_not_lint(*_: object) -> None:
        raise AssertionError("linted again although the template did not change")

    monkeypatch.setattr(lint, "_run_cfn_lint", must_not_lint)

    assert list(check_cfn_lint(manifest)) == first
    assert len(list((tmp_path / "cache" / "cfn-lint").glob("*.json"))) >= 2


def test_the_same_template_in_another_checkout_is_not_linted_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import orchestrator.templates.lint as lint
    from orchestrator.templates import parse_yaml
    from orchestrator.templates.model import Template

    monkeypatch.setenv("FIREFLY_CACHE_DIR", str(tmp_path / "cache"))
    text = dedent(BAD_BILLING)
    body, _ = parse_yaml(text, "x")

    def at(folder: str) -> Template:
        return Template(tmp_path / folder / "template.yaml", f"{folder}/template.yaml", text, body)

    (first,) = lint.lint_templates([at("one")], ("us-east-1",))
    lint._cache.clear()  # a new process, in another checkout: only the disk remembers

    def must_not_lint(*_: object) -> None:
        raise AssertionError("linted again although only the folder changed")

    monkeypatch.setattr(lint, "_run_cfn_lint", must_not_lint)
    (again,) = lint.lint_templates([at("two")], ("us-east-1",))

    assert first.errors and {p.file for p in first.errors} == {"one/template.yaml"}
    assert [(p.line, p.message) for p in again.errors] == [
        (p.line, p.message) for p in first.errors
    ]
    assert {p.file for p in again.errors} == {"two/template.yaml"}


# Each finds something different: a schema error, a warning, a SAM error after the transform, and
# a template cfn-lint cannot decode.
FINDINGS = [
    dedent(BAD_BILLING),
    dedent(UNUSED_PARAMETER),
    dedent(FUNC.replace("Runtime: python3.11", "Runtime: python3.11\n      MemorySize: 1")),
    "Resources: [\n",
]


def _per_template(texts: list[str]) -> list[list[tuple[str, int, str]]]:
    """cfn-lint's public API, one template (and one set of rules) at a time."""
    from cfnlint.api import lint
    from cfnlint.config import ManualArgs

    return [
        [
            (str(m.rule.id), int(m.linenumber), str(m.message))
            for m in lint(text, config=ManualArgs(regions=["us-east-1"]))
        ]
        for text in texts
    ]


def test_templates_linted_together_find_what_each_linted_alone_finds() -> None:
    together = lint_texts(FINDINGS, ("us-east-1",))

    assert together == _per_template(FINDINGS)
    assert all(together)  # each template has its finding


@pytest.mark.slow
def test_many_templates_are_linted_over_a_process_pool_with_the_same_findings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import orchestrator.templates.lint as lint

    pools = []

    real_pool = lint._process_pool

    def counted_pool(workers: int) -> Executor:
        pools.append(real_pool(workers))
        return pools[-1]

    monkeypatch.setattr(lint, "_process_pool", counted_pool)
    monkeypatch.setattr(lint, "IN_PROCESS_MAX", 1)
    monkeypatch.setattr(lint, "BATCH", 1)

    pooled = lint._run_cfn_lint(FINDINGS, ("us-east-1",))

    assert len(pools) == 1
    assert pooled == lint_texts(FINDINGS, ("us-east-1",))


def test_templates_are_linted_here_when_no_worker_process_can_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import orchestrator.templates.lint as lint

    def no_processes(*_: object, **__: object) -> None:
        raise PermissionError("process creation is not allowed here")

    monkeypatch.setattr(lint, "_process_pool", no_processes)
    monkeypatch.setattr(lint, "IN_PROCESS_MAX", 1)

    assert lint._run_cfn_lint(FINDINGS, ("us-east-1",)) == _per_template(FINDINGS)


def test_the_cfn_lint_version_is_looked_up_once_per_run(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import importlib.metadata

    import orchestrator.templates.lint as lint

    monkeypatch.setenv("FIREFLY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(lint, "_cache", {})
    lint.cfn_lint_version.cache_clear()
    looked_up = []
    real_version = importlib.metadata.version

    def counted_version(name: str) -> str:
        looked_up.append(name)
        return real_version(name)

    monkeypatch.setattr(importlib.metadata, "version", counted_version)
    manifest = project(table=BAD_BILLING)

    assert list(check_cfn_lint(manifest)) != []
    template_warnings(manifest)
    lint._cache.clear()  # read back from disk: the cache keys need the version again
    assert list(check_cfn_lint(manifest)) != []

    assert looked_up == ["cfn-lint"]
    lint.cfn_lint_version.cache_clear()  # the next test's lookups are its own


def test_a_second_run_of_the_same_templates_reads_their_results_from_one_file(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import orchestrator.templates.lint as lint

    monkeypatch.setenv("FIREFLY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(lint, "_cache", {})
    manifest = project(table=UNUSED_PARAMETER)
    first = template_warnings(manifest)
    read: list[str] = []
    real_read = lint.read_entry

    def counted_read(path: Path) -> bytes | None:
        read.append(path.parent.name)
        return real_read(path)

    monkeypatch.setattr(lint, "read_entry", counted_read)
    lint._cache.clear()  # a new run: what is on disk only

    assert template_warnings(manifest) == first != []
    assert read == ["cfn-lint-sets"]
    # Another set (a deploy of one stack) reads its template's own result: nothing is linted.
    monkeypatch.setattr(lint, "lint_texts", None)
    read.clear()
    lint._cache.clear()
    table = [t for t in lint.parsed(manifest) if t[0].name == "table"]
    assert lint.lint_templates([table[0][1]], lint._regions(manifest))[0].warnings == tuple(first)
    assert read == ["cfn-lint-sets", "cfn-lint"]
