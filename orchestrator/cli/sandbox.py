"""`firefly sandbox up|status|down`: the local engine that sandbox environments deploy into."""

from __future__ import annotations

from typing import Annotated

import typer

from orchestrator.cli.console import stdout

app = typer.Typer(
    help="The local AWS engine (moto's server plus what it lacks) on 127.0.0.1.",
    epilog="Example: firefly sandbox up --port 4566",
    add_completion=False,
)

PORT = 4566


@app.callback(invoke_without_command=True)
def sandbox(context: typer.Context) -> None:
    """The local AWS engine of sandbox environments; it runs until 'firefly sandbox down'."""
    if context.invoked_subcommand is None:
        stdout.print(context.get_help())


@app.command(epilog="Example: FIREFLY_SANDBOX_LATENCY=3 firefly sandbox up")
def up(
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1.")] = PORT,
    latency: Annotated[
        float | None,
        typer.Option(
            "--latency",
            envvar="FIREFLY_SANDBOX_LATENCY",
            help="Seconds each stack operation stays *_IN_PROGRESS.",
        ),
    ] = None,
) -> None:
    """Start the engine in the background (or reuse the one running)."""
    from orchestrator.sandbox import lifecycle

    info = lifecycle.start(port, latency)
    stdout.print(
        f"sandbox running at {info.endpoint} (pid {info.pid}, latency "
        f"{info.latency:g} s, log {info.log_path})"
    )


@app.command(epilog="Example: firefly sandbox status")
def status() -> None:
    """Say whether the engine runs, where, and with which latency."""
    from orchestrator.errors import OrchestratorError
    from orchestrator.sandbox import lifecycle

    info = lifecycle.status()
    if info is None:
        raise OrchestratorError("the sandbox is not running; start it with 'firefly sandbox up'")
    state = "answering" if info.answering else "not answering (see its log)"
    stdout.print(
        f"sandbox running at {info.endpoint} (pid {info.pid}, latency "
        f"{info.latency:g} s, since {info.started_at}, {state}, log {info.log_path})"
    )


@app.command(epilog="Example: firefly sandbox down")
def down() -> None:
    """Stop the engine; everything deployed into it is gone."""
    from orchestrator.sandbox import lifecycle

    stopped = lifecycle.stop()
    stdout.print("sandbox stopped" if stopped else "the sandbox was not running")
