"""`GET /healthz`: liveness plus a database round trip (no authentication)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from api.deps import ContainerDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(container: ContainerDep) -> dict[str, str]:
    """Answer ok when the database answers (the migration level was checked at start-up)."""
    with container.database.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok"}
