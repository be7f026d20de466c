"""Alembic environment: runs the packaged migrations against the configured URL."""

from __future__ import annotations

from alembic import context

from analyzer.storage.db import make_engine
from analyzer.storage.tables import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run migrations with a live connection (SQLite batch mode for ALTERs)."""
    url = config.get_main_option("sqlalchemy.url") or ""
    connectable = config.attributes.get("connection")
    if connectable is not None:
        context.configure(connection=connectable, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=url.startswith("sqlite"),
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
