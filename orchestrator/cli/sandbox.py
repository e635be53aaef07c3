"""`firefly sandbox up|status|env|down`: the local engine that sandbox environments deploy into."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Annotated

import typer

from orchestrator.cli.console import print_plain, print_warning, stdout

if TYPE_CHECKING:
    from orchestrator.sandbox.lifecycle import SandboxInfo

app = typer.Typer(
    help="The local AWS engine (moto's server plus what it lacks) on 127.0.0.1.",
    epilog="Example: FIREFLY_SANDBOX_PORT=4600 firefly sandbox up",
    add_completion=False,
)

REGION = "us-east-1"


@app.callback(invoke_without_command=True)
def sandbox(context: typer.Context) -> None:
    """The local AWS engine of sandbox environments; it runs until 'firefly sandbox down'.

    $FIREFLY_SANDBOX_PORT moves it off port 4566 and $FIREFLY_STATE_DIR its state folder off
    ~/.firefly/sandbox, for these commands and every other one.
    """
    from orchestrator.sandbox_start import sandbox_port

    sandbox_port()  # a bad $FIREFLY_SANDBOX_PORT is one line here too, whatever the subcommand
    if context.invoked_subcommand is None:
        stdout.print(context.get_help())


def _settings(info: SandboxInfo) -> str:
    return f"pid {info.pid}, latency {info.latency:g} s, faults {info.faults or 'none'}"


@app.command(
    epilog="Example: FIREFLY_SANDBOX_LATENCY=3 firefly sandbox up "
    "--faults throttle=0.3,error=0.05,seed=7"
)
def up(
    port: Annotated[
        int | None,
        typer.Option(
            "--port",
            min=1,
            max=65535,
            help="Port on 127.0.0.1  [default: $FIREFLY_SANDBOX_PORT, else 4566]",
            show_default=False,
        ),
    ] = None,
    latency: Annotated[
        float | None,
        typer.Option(
            "--latency",
            envvar="FIREFLY_SANDBOX_LATENCY",
            help="Seconds each stack operation stays *_IN_PROGRESS.",
        ),
    ] = None,
    faults: Annotated[
        str | None,
        typer.Option(
            "--faults",
            envvar="FIREFLY_SANDBOX_FAULTS",
            metavar="SPEC",
            help="Answer that fraction of CloudFormation, S3, Lambda and STS calls as throttled "
            "or failed: throttle=F,error=F,seed=N.",
        ),
    ] = None,
) -> None:
    """Start the engine in the background (or reuse the one running)."""
    from orchestrator.sandbox import lifecycle
    from orchestrator.sandbox_start import sandbox_port

    chosen = port if port is not None else sandbox_port()
    info, started = lifecycle.start_or_find(chosen, latency, faults=faults)
    lost = lifecycle.lost_notice()
    if lost:
        print_warning(lost)
    # Its state lives in memory: whether it is new says whether earlier deploys are still there.
    found = (
        "started a new, empty sandbox"
        if started
        else "found the sandbox running, with what was deployed into it"
    )
    stdout.print(f"{found}: {info.endpoint} ({_settings(info)}, log {info.log_path})")


def _running() -> SandboxInfo:
    from orchestrator.errors import OrchestratorError
    from orchestrator.sandbox import lifecycle

    info = lifecycle.status()
    if info is None:
        raise OrchestratorError("the sandbox is not running; start it with 'firefly sandbox up'")
    return info


@app.command(epilog="Example: firefly sandbox status")
def status() -> None:
    """Say whether the engine runs, where, and with which latency and faults."""
    info = _running()
    state = "answering" if info.answering else "not answering (see its log)"
    stdout.print(
        f"sandbox running at {info.endpoint} ({_settings(info)}, since {info.started_at}, "
        f"{state}, log {info.log_path})"
    )


@app.command(epilog='Example: eval "$(firefly sandbox env)" && aws s3 ls')
def env(
    region: Annotated[str, typer.Option("--region", help="The region clients call.")] = REGION,
) -> None:
    """Print the shell lines that point the AWS CLI, SDKs or Sceptre at the running engine: its
    endpoint, a region and the key pair it requires."""
    from orchestrator.sandbox import lifecycle

    info = _running()
    variables = {
        "AWS_ENDPOINT_URL": info.endpoint,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        **lifecycle.client_keys(info).environment(),
    }
    # what would otherwise go along with, or win over, the sandbox's pair
    lines = ["unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_PROFILE"]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in variables.items()]
    print_plain("\n".join(lines))


@app.command(epilog="Example: firefly sandbox down")
def down() -> None:
    """Stop the engine; everything deployed into it is gone."""
    from orchestrator.sandbox import lifecycle

    stopped = lifecycle.stop()
    stdout.print("sandbox stopped" if stopped else "the sandbox was not running")
