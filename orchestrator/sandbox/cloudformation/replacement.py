"""Whether a modified resource is replaced: the `Replacement` of a change set's ResourceChange.

CloudFormation answers True when a changed property "requires replacement", False when every
changed property updates in place, and Conditional when it cannot tell before it runs (a value
that depends on a resource the same change set makes). Which properties require replacement is
what each resource type's provider schema lists as `createOnlyProperties` (and, for a changed
value, `conditionalCreateOnlyProperties`, e.g. a DynamoDB table's KeySchema, documented as
"Update requires: Replacement"). cfn-lint, a dependency already, ships those schemas for every
region; they are read as data, without importing cfn-lint into the engine.
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceChange.html
https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from typing import Any

TRUE, FALSE, CONDITIONAL = "True", "False", "Conditional"


def replacement(
    resource_type: str, region: str, before: dict[str, Any], after: dict[str, Any]
) -> str:
    """True, False or Conditional for a resource whose properties go from `before` to `after`."""
    create_only = _create_only(region, resource_type)
    if create_only is None:
        return CONDITIONAL  # a type without a schema: nothing to tell from
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    return TRUE if changed & create_only else FALSE


@functools.cache
def _create_only(region: str, resource_type: str) -> frozenset[str] | None:
    """Top-level property names whose change replaces a `resource_type`, or None if unknown."""
    schemas = _schema_folder()
    if schemas is None:
        return None
    index = schemas / "providers" / f"{region}.json"
    if not index.is_file():
        index = schemas / "providers" / "us-east-1.json"
    digest = json.loads(index.read_text(encoding="utf-8")).get(resource_type)
    if digest is None:
        return None
    schema = json.loads((schemas / "resources" / f"{digest}.json").read_text(encoding="utf-8"))
    pointers = [
        *schema.get("createOnlyProperties", []),
        *schema.get("conditionalCreateOnlyProperties", []),
    ]
    return frozenset(p.split("/")[2] for p in pointers if p.startswith("/properties/"))


@functools.cache
def _schema_folder() -> Path | None:
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "data" / "schemas"
    return folder if folder.is_dir() else None
