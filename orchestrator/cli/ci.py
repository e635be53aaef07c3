"""`firefly ci`: the GitHub Actions files that are generated from the manifest."""

from __future__ import annotations

from typing import Annotated

import typer

from orchestrator.cli.console import stdout
from orchestrator.cli.options import DEFAULT_MANIFEST, ManifestOption

EXAMPLE = "Example: firefly ci generate --check"

app = typer.Typer(
    help="GitHub Actions: the graph workflows, one job per workflow, generated from the manifest.",
    epilog=EXAMPLE,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback(invoke_without_command=True)
def ci(context: typer.Context) -> None:
    # A bare `firefly ci` asks what it can do: its help, and success, as for a bare `firefly`.
    if context.invoked_subcommand is None:
        text = context.get_help()  # rich help prints itself and returns ""
        if text:
            typer.echo(text)
        raise typer.Exit(0)


@app.command(epilog=EXAMPLE)
def generate(
    manifest: ManifestOption = DEFAULT_MANIFEST,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; fail when a file is out of date.")
    ] = False,
) -> None:
    """Write .github/workflows/deploy-graph.yml and delete-graph.yml beside the manifest."""
    from orchestrator.ci import WORKFLOWS_FOLDER, render_workflows
    from orchestrator.cli.generated import fail_if_stale
    from orchestrator.generated import stale_files, write_files
    from orchestrator.manifest import display_path
    from orchestrator.validation import load_checked

    loaded = load_checked(manifest)
    folder = manifest.parent / WORKFLOWS_FOLDER
    files = render_workflows(loaded)
    if check:
        fail_if_stale(
            folder, stale_files(folder, files), noun="file", command="firefly ci generate"
        )
        stdout.print(f"{display_path(folder)}: {len(files)} generated files up to date")
        return
    write_files(folder, files)
    stdout.print(f"{display_path(folder)}: wrote {', '.join(files)}")
