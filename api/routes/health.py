"""`GET /healthz`: liveness plus the database migration state (no authentication)."""

from __future__ import annotations

from fastapi import APIRouter

from analyzer.storage.db import current_revision, head_revision
from api.deps import ContainerDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(container: ContainerDep) -> dict[str, str | None]:
    """Answer ok when the database is reachable; says which migration it is at."""
    return {"status": "ok", "migration": current_revision(container.database.engine), "head": head_revision()}
