"""Fixtures of the batch tests: migrated databases (SQLite and a private PostgreSQL database)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from analyzer.storage import catalog
from analyzer.storage.db import Database


def make_sqlite(tmp_path: Path) -> Database:
    """A migrated SQLite database in a temp dir."""
    database = Database(f"sqlite:///{tmp_path / 'batch.db'}")
    database.upgrade()
    return database


@pytest.fixture()
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = make_sqlite(tmp_path)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def pg_database_url(postgres_url: str) -> Iterator[str]:
    """A private PostgreSQL database for this test session, dropped at the end."""
    name = f"auditlens_batch_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = postgres_url.rsplit("/", 1)[0] + "/" + name
    database = Database(url)
    database.upgrade()
    database.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        database = make_sqlite(tmp_path)
    else:
        database = Database(request.getfixturevalue("pg_database_url"))
    yield database
    database.dispose()


def new_org(database: Database) -> str:
    """A fresh organization id."""
    with database.session() as s:
        return catalog.get_or_create_organization(s, name=f"org-{uuid.uuid4().hex[:8]}").id
