"""The list of command groups; each module adds its commands to the app in `register(app)`."""

from __future__ import annotations

from collections.abc import Callable

import typer

from api.cli import analyze_cmd, batch_cmd, db_cmd, demo_cmd, eval_cmd, ingest_cmd, keys_cmd, serve_cmd

REGISTRY: list[Callable[[typer.Typer], None]] = [
    db_cmd.register,
    ingest_cmd.register,
    demo_cmd.register,
    analyze_cmd.register,
    batch_cmd.register,
    eval_cmd.register,
    keys_cmd.register,
    serve_cmd.register,
]
