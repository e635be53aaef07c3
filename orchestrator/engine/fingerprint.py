"""The hash that lets a deploy skip a stack without asking CloudFormation twice.

It covers everything a deploy submits: the packaged template (so changed code changes it, as
artifact keys are content hashes), the resolved parameters and the tags. It is stored as a
stack tag; the status sweep every run makes anyway returns the tags, so an unchanged stack costs
no further call.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

TAG = "firefly:fingerprint"


def fingerprint(body: str, parameters: Mapping[str, str], tags: Mapping[str, str]) -> str:
    payload = json.dumps(
        {
            "template": body,
            "parameters": dict(sorted(parameters.items())),
            "tags": {k: v for k, v in sorted(tags.items()) if k != TAG},
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def stack_tags(project: str, env: str, workflow: str) -> dict[str, str]:
    """The tags firefly puts on every stack it deploys."""
    return {"firefly:project": project, "firefly:env": env, "firefly:workflow": workflow}


def stamped(tags: Mapping[str, str], body: str, parameters: Mapping[str, str]) -> dict[str, str]:
    """`tags` plus the fingerprint of what is about to be submitted."""
    return {**tags, TAG: fingerprint(body, parameters, tags)}


def already_deployed(current_tags: Mapping[str, str], submitted: Mapping[str, str]) -> bool:
    """The stack carries the fingerprint of exactly what `submitted` (stamped tags) describes."""
    return current_tags.get(TAG) == submitted[TAG]
