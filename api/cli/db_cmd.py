"""`auditlens db upgrade|current`: manage the database schema."""

from __future__ import annotations

import typer

from analyzer.storage import db
from api.cli.common import console, expected_errors, load_settings


def register(app: typer.Typer) -> None:
    """Add the `db` command group."""
    group = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)

    @group.command("upgrade")
    @expected_errors
    def upgrade() -> None:
        """Migrate the configured database to the newest schema."""
        settings = load_settings()
        url = settings.resolved_database_url
        db.upgrade(url)
        console.print(f"database at migration {db.head_revision()}")

    @group.command("current")
    @expected_errors
    def current() -> None:
        """Show the migration the database is at."""
        settings = load_settings()
        database = db.Database(settings.resolved_database_url)
        console.print(
            f"current: {db.current_revision(database.engine) or 'none'}; head: {db.head_revision()}"
        )

    app.add_typer(group, name="db")
