"""The environment a bench runs `firefly` in: as installed, its bytecode compiled once.

A pip install compiles every module; a checkout run with PYTHONDONTWRITEBYTECODE (set on some
CI machines and containers) compiles the orchestrator again in every process, a cost no user
pays (0.05 to 0.1 s a run). The bytecode goes to a folder of its own, never into the checkout.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

BYTECODE = Path(tempfile.gettempdir()) / "firefly-bench-bytecode"


def installed_environ(**extra: str) -> dict[str, str]:
    environ = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**environ, "PYTHONPYCACHEPREFIX": str(BYTECODE), **extra}
