"""cfn-lint in one process: its rules loaded once, then template after template.

`cfnlint.api.lint` (cfn-lint's documented Python API, docs/getting_started/integration.md in
https://github.com/aws-cloudformation/cfn-lint) builds a new `Runner` for every template, which
loads cfn-lint's 300-odd rules and their schemas again: about 0.6 s, five sixths of linting a
small template. cfn-lint's own command line, given many templates, loads the rules once in
`Runner.__init__` and runs each template against that one collection
(`cfnlint/runner/cli.py`: `validate_template` → `run_template_by_data(template, config,
self.rules)`); this module does the same, and is what each worker process of `lint.py` runs.
A test holds its findings equal to `cfnlint.api.lint`'s, template by template.

Findings are plain tuples so that they cross a process boundary without cfn-lint's classes.
The module stands outside `orchestrator.templates` so that a worker process loads cfn-lint and
nothing else of firefly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Finding = tuple[str, int, str]  # rule id, line, message

# regions -> (cfn-lint's configuration, its rules), built on the first template of a process
_runners: dict[tuple[str, ...], tuple[Any, Any]] = {}


def lint_texts(texts: Sequence[str], regions: tuple[str, ...]) -> list[list[Finding]]:
    """cfn-lint's findings on each template text, in order."""
    config, rules = _runner(regions)
    return [_lint(text, config, rules) for text in texts]


def _runner(regions: tuple[str, ...]) -> tuple[Any, Any]:
    if regions not in _runners:
        # Imported here: loading cfn-lint and its schemas takes about a second, which only a
        # run with a template not linted before should pay.
        from cfnlint.config import ConfigMixIn
        from cfnlint.runner import Runner

        config = ConfigMixIn(regions=list(regions))
        _runners[regions] = (config, Runner(config).rules)
    return _runners[regions]


def _lint(text: str, config: Any, rules: Any) -> list[Finding]:
    # As `cfnlint.api.lint` does: a template that cannot be decoded is its own finding (E0000).
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import run_template_by_data

    template, errors = decode_str(text)
    if errors:
        matches = errors
    elif template is None:
        matches = []
    else:
        matches = list(run_template_by_data(template, config, rules))
    return [(str(m.rule.id), int(m.linenumber), str(m.message)) for m in matches]
