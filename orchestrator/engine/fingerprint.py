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
    payload = json.dumps({"template": body, "parameters": dict(sorted(parameters.items())),
                          "tags": {k: v for k, v in sorted(tags.items()) if k != TAG}},
                         sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:32]
