"""Check that a running AWS engine behaves like AWS for what only this repository probes (drift,
HTTP APIs, WebSocket APIs, S3 CORS, S3 object bodies).

The shared suite (tests/data/sandbox-probes, a byte copy that must not change) owns the format:
this runner imports its engine, fixtures, stacks and `run_check`, and adds areas of its own under
`areas/` (the shared copy already owns the package name `checks`). Same options, output and exit
codes as the shared `run.py`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent / "data" / "sandbox-probes"
sys.path.insert(0, str(SHARED))  # first, so `run` below is the shared runner, not this file

from areas import drift, http_apis, s3_cors, s3_objects, websocket  # noqa: E402
from botocore.exceptions import ConnectionError as Unreachable  # noqa: E402
from engine import Engine, error_code  # noqa: E402
from run import run_check  # noqa: E402

AREAS = {module.AREA: module for module in (drift, http_apis, websocket, s3_cors, s3_objects)}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="http://127.0.0.1:4566")
    parser.add_argument("--only", action="append", choices=list(AREAS), metavar="AREA")
    parser.add_argument("--latency", type=float, metavar="SECONDS")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    engine = Engine(args.endpoint, args.latency)
    try:
        error_code(engine.client("sts").get_caller_identity)
    except Unreachable:
        print(f"no engine at {args.endpoint}: start it (firefly sandbox up)", file=sys.stderr)
        return 2
    for area in args.only or AREAS:
        for check in AREAS[area].CHECKS:
            run_check(engine, area, check)
    passed = sum(r.status == "works" for r in engine.results)
    failed = sum(r.status == "fails" for r in engine.results)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
