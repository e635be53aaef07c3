"""The typer application: one module per command, registered here.

Command modules import the engine, graph and AWS code inside their functions, so that
`firefly --help` and a mistyped option answer without loading cfn-lint or boto3.
"""

from __future__ import annotations

from typing import Annotated

import typer

from orchestrator import __version__
from orchestrator.cli import (
    ci,
    delete,
    deploy,
    docs,
    drift,
    graph,
    plan,
    report,
    rollback,
    sandbox,
    status,
    unlock,
    validate,
)
from orchestrator.cli.console import stdout

app = typer.Typer(
    name="firefly",
    help="Deploy the Firefly serverless backend from one manifest, in dependency order.",
    epilog="Example: firefly graph --action delete",
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _print_version(requested: bool) -> None:
    if requested:
        stdout.print(f"firefly {__version__}", markup=False, highlight=False)
        raise typer.Exit()


@app.callback()
def firefly(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Deploy the Firefly serverless backend from one manifest, in dependency order."""


app.command(epilog=validate.EXAMPLE)(validate.validate)
app.command(epilog=graph.EXAMPLE)(graph.graph)
app.command(epilog=docs.EXAMPLE)(docs.docs)
app.command(epilog=deploy.EXAMPLE)(deploy.deploy)
app.command(epilog=delete.EXAMPLE)(delete.delete)
app.command(epilog=plan.EXAMPLE)(plan.plan)
app.command(epilog=status.STATUS_EXAMPLE)(status.status)
app.command(epilog=status.OUTPUTS_EXAMPLE)(status.outputs)
app.command(epilog=unlock.EXAMPLE)(unlock.unlock)
app.command(epilog=rollback.EXAMPLE)(rollback.rollback)
app.command(epilog=drift.EXAMPLE)(drift.drift)
app.command(epilog=report.EXAMPLE)(report.report)
app.add_typer(sandbox.app, name="sandbox")
app.add_typer(ci.app, name="ci")
