"""The environment a bench runs `firefly` in: as installed, its bytecode compiled once.

A pip install compiles every module; a checkout run with PYTHONDONTWRITEBYTECODE (set on some
CI machines and containers) compiles the orchestrator again in every process, a cost no user
pays (0.05 to 0.1 s a run). Without it the first run writes the bytecode beside the sources, in
`__pycache__` folders that git ignores; the installed libraries have theirs already.
"""

from __future__ import annotations

import os


def installed_environ(**extra: str) -> dict[str, str]:
    environ = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**environ, **extra}
