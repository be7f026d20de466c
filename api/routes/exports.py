"""`GET /v1/audits/{audit_id}/export?format=csv|xlsx|json|md|oscal-poam`."""

from __future__ import annotations

import re
from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from analyzer.models import utcnow
from analyzer.storage.events import record_event
from api.deps import ContainerDep, Exporter
from api.exports import FORMATS
from api.exports.records import collect

router = APIRouter(prefix="/v1", tags=["exports"])
Format = Literal["csv", "xlsx", "json", "md", "oscal-poam"]


@router.get("/audits/{audit_id}/export")
def export_audit(
    audit_id: str,
    principal: Exporter,
    container: ContainerDep,
    format: Format = Query(default="json", description="csv, xlsx, json, md or oscal-poam."),
) -> Response:
    """Download the audit's findings, analyses and plans in one format."""
    spec = FORMATS[format]
    with container.database.session() as session:
        export = collect(session, org_id=principal.org_id, audit_id=audit_id, now=utcnow())
        record_event(
            session,
            org_id=principal.org_id,
            actor_key_id=principal.key_id,
            action="audit.exported",
            object_type="audit",
            object_id=audit_id,
            detail={"format": format, "findings": len(export.records)},
        )
    content = spec.render(export)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", export.audit.name).strip("-") or export.audit.id
    return Response(
        content,
        media_type=spec.media_type,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{spec.extension}"'},
    )
