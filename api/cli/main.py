"""Entry point of the `auditlens` command: assembles the command groups."""

from __future__ import annotations

import typer

from analyzer.privacy import apply_offline_defaults

app = typer.Typer(
    name="auditlens",
    help="Audit-report analysis: ingest reports, find exceptions, draft and review corrective action plans.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_all() -> None:
    # Imported here so `--help` stays fast and each group owns its module.
    from api.cli import commands

    for register in commands.REGISTRY:
        register(app)


def main() -> None:
    """Run the CLI."""
    apply_offline_defaults()
    _register_all()
    app()
