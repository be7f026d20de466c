"""SQL persistence adapter (SQLAlchemy 2.x + Alembic): SQLite by default, PostgreSQL by URL."""
