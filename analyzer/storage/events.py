"""Append-only audit log: one row per change made through the service (no update or delete here)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analyzer.models import utcnow
from analyzer.storage.tables import AuditEvent


def record_event(
    session: Session,
    *,
    org_id: str,
    actor_key_id: str | None,
    action: str,
    object_type: str,
    object_id: str,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the organization's audit log."""
    row = AuditEvent(
        org_id=org_id,
        actor_key_id=actor_key_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail or {},
        created_at=utcnow(),
    )
    session.add(row)
    return row


def list_events(
    session: Session, *, org_id: str, object_id: str | None = None, limit: int = 500
) -> list[AuditEvent]:
    """Events of one organization, oldest first, optionally for one object."""
    query = select(AuditEvent).where(AuditEvent.org_id == org_id)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    return list(session.scalars(query.order_by(AuditEvent.id).limit(limit)))
