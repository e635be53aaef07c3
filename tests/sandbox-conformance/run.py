"""Check that a running AWS engine behaves like AWS for what only this repository probes (drift,
HTTP APIs, WebSocket APIs, S3 CORS, S3 object bodies).

The shared suite (tests/data/sandbox-probes, a byte copy that must not change) owns the format:
this runner runs the shared `run.py` over areas of its own under `areas/` (the shared copy
already owns the package name `checks`), with its options, output and exit codes.
"""

from __future__ import annotations

import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent / "data" / "sandbox-probes"
sys.path.insert(0, str(SHARED))  # first, so `run` below is the shared runner, not this file

import run as shared  # noqa: E402  (the shared runner: its options, output and exit codes)
from areas import drift, http_apis, s3_cors, s3_objects, websocket  # noqa: E402

AREAS = {module.AREA: module for module in (drift, http_apis, websocket, s3_cors, s3_objects)}


def main(argv: list[str] | None = None) -> int:
    shared.AREAS = AREAS  # its options and loop read the areas from this global when called
    return shared.main(argv)


if __name__ == "__main__":
    sys.exit(main())
