"""The `firefly` command line: the only package that imports typer or rich.

`run` is the one place where errors become exit codes; commands raise, they never exit.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence

from orchestrator.errors import ExitCode, OrchestratorError


def main(argv: Sequence[str] | None = None) -> None:
    # A command is one short process that builds its data once and keeps it: collecting every
    # 700 allocations (the default) took a tenth of a warm `firefly validate` of 2,000
    # workflows and freed nothing. Cycles are still collected, fifty times less often.
    gc.set_threshold(50_000, 10, 10)
    code = run(list(sys.argv[1:] if argv is None else argv))
    scheduler = sys.modules.get("orchestrator.engine.scheduler")
    if scheduler is not None and scheduler.abandoned_work():
        # A second Ctrl-C stopped waiting for work in flight: the interpreter would join its
        # threads at exit, which is the waiting the user refused. Everything is written.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    # The interpreter collects garbage as it ends, walking every object the command made (the
    # SDK's models, the display) for a quarter of a second; frozen, they are only let go.
    gc.freeze()
    raise SystemExit(code)


def run(argv: list[str]) -> int:
    """Run the command line `argv` and return its exit code, never a traceback."""
    import typer
    from typer.main import get_command

    from orchestrator.cli.app import app
    from orchestrator.cli.console import print_error, use_redactor

    use_redactor()  # nothing to mask until the command knows its environment
    argv = argv or ["--help"]  # a bare `firefly` is a request for help, not a mistake
    try:
        result = get_command(app).main(argv, prog_name="firefly", standalone_mode=False)
    except typer.TyperException as error:  # typer's (vendored click) usage errors
        context = getattr(error, "ctx", None)
        hint = f"; see '{context.command_path} --help'" if context is not None else ""
        print_error(f"{error.format_message().rstrip('.')}{hint}")
        return ExitCode.USAGE if error.exit_code == ExitCode.USAGE else error.exit_code
    except (typer.Abort, KeyboardInterrupt):
        print_error("interrupted")
        return ExitCode.INTERRUPTED
    except OrchestratorError as error:
        for line in error.lines():
            print_error(line)
        return error.exit_code
    except Exception as error:  # the last guard: a bug must still end as one line
        if os.environ.get("FIREFLY_DEBUG") == "1":
            raise
        print_error(
            f"internal error: {type(error).__name__}: {error} "
            "(rerun with FIREFLY_DEBUG=1 for the traceback and report it)"
        )
        return ExitCode.WORKFLOW_FAILED
    return int(result) if isinstance(result, int) else ExitCode.SUCCESS
