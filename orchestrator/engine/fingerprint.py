"""The hash that lets a deploy skip a stack without asking CloudFormation twice.

It covers everything a deploy submits: the packaged template (so changed code changes it, as
artifact keys are content hashes), the resolved parameters and the tags. It is stored as a
stack tag; the status sweep every run makes anyway returns the tags, so an unchanged stack costs
no further call.

Secret parameter values are never part of it. Anything stored in AWS that is a deterministic
function of a secret and of public data (the template from GetTemplate, the other parameters,
the tags) lets whoever can read it confirm a guess: recompute the function with the guess and
compare. A salt stored beside the hash does not help (the guesser reads the salt too); a hash
keyed with something kept outside AWS would, but every machine that deploys (each CI runner,
each laptop) would have to hold the same key, and one that lacked it could only fall back to
asking CloudFormation. firefly therefore always asks CloudFormation for stacks with secret
parameters: their fingerprint covers the rest only, is marked as such, and never lets a deploy
skip the stack by itself. The stack goes through a change set, and CloudFormation compares the
NoEcho values it keeps against the submitted ones; an empty change set means unchanged. That
costs a change set per secret-bearing stack and per run, and nothing for the others.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
(NoEcho: values are masked as asterisks in every call that describes the stack).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping

TAG = "firefly:fingerprint"
# A fingerprint that leaves secret parameter values out: it can never prove a stack unchanged.
WITHOUT_SECRETS = "nosecrets-"


def fingerprint(
    body: str,
    parameters: Mapping[str, str],
    tags: Mapping[str, str],
    secret: Collection[str] = (),
) -> str:
    """The hash of a submission; parameters named in `secret` count by name only."""
    payload = json.dumps(
        {
            "template": body,
            "parameters": {k: v for k, v in sorted(parameters.items()) if k not in secret},
            "secret_parameters": sorted(k for k in parameters if k in secret),
            "tags": {k: v for k, v in sorted(tags.items()) if k != TAG},
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    digest = hashlib.sha256(payload.encode()).hexdigest()[:32]
    return f"{WITHOUT_SECRETS}{digest}" if any(k in secret for k in parameters) else digest


def stack_tags(project: str, env: str, workflow: str) -> dict[str, str]:
    """The tags firefly puts on every stack it deploys."""
    return {"firefly:project": project, "firefly:env": env, "firefly:workflow": workflow}


def stamped(
    tags: Mapping[str, str],
    body: str,
    parameters: Mapping[str, str],
    secret: Collection[str] = (),
) -> dict[str, str]:
    """`tags` plus the fingerprint of what is about to be submitted."""
    return {**tags, TAG: fingerprint(body, parameters, tags, secret)}


def already_deployed(current_tags: Mapping[str, str], submitted: Mapping[str, str]) -> bool:
    """The stack carries the fingerprint of exactly what `submitted` (stamped tags) describes.

    Never for a submission with secrets: only CloudFormation can tell whether those changed.
    """
    wanted = submitted[TAG]
    return not wanted.startswith(WITHOUT_SECRETS) and current_tags.get(TAG) == wanted
