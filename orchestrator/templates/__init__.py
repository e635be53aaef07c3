"""The stacks' templates, read with CloudFormation's short-form tags, checked against the manifest.

Every check takes the manifest (and the `Scope` of workflows to report on: all of them unless
told) and yields `Problem`s at the template's, the manifest's or a Lambda source's file:line,
like the manifest's own checks; `TEMPLATE_CHECKS` joins them to `firefly validate`.
Each template is parsed (and linted) once per run, whichever checks ask for it.
"""

from __future__ import annotations

from orchestrator.templates.adoption import IMPORTABLE, check_adoptions, check_data_retention
from orchestrator.templates.checks import (
    check_code_uris,
    check_outputs,
    check_parameters,
    check_secret_parameters,
    check_templates_parse,
)
from orchestrator.templates.imports import check_import_values
from orchestrator.templates.lint import check_cfn_lint, template_warnings
from orchestrator.templates.loader import LocatedDict, parse_yaml
from orchestrator.templates.model import Resource, Template, load_template
from orchestrator.templates.python_sources import check_python_syntax
from orchestrator.templates.stacks import (
    EVERY_WORKFLOW,
    Scope,
    StackTemplate,
    reading_once,
    stack_templates,
)

__all__ = [
    "EVERY_WORKFLOW",
    "IMPORTABLE",
    "TEMPLATE_CHECKS",
    "LocatedDict",
    "Resource",
    "Scope",
    "StackTemplate",
    "Template",
    "check_adoptions",
    "check_cfn_lint",
    "check_code_uris",
    "check_data_retention",
    "check_import_values",
    "check_outputs",
    "check_parameters",
    "check_python_syntax",
    "check_secret_parameters",
    "check_templates_parse",
    "load_template",
    "parse_yaml",
    "reading_once",
    "stack_templates",
    "template_warnings",
]

TEMPLATE_CHECKS = (
    check_templates_parse,
    check_parameters,
    check_secret_parameters,
    check_outputs,
    check_code_uris,
    check_python_syntax,
    check_adoptions,
    check_data_retention,
    check_import_values,
    check_cfn_lint,
)
