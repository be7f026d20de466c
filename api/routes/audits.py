"""Audits: create, list, read (org-scoped)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import func, select

from analyzer.errors import InvalidInputError
from analyzer.storage import catalog
from analyzer.storage.events import record_event
from analyzer.storage.tables import Audit, Document, FindingRow
from api.deps import AuditWriter, ContainerDep, Reader

router = APIRouter(prefix="/v1", tags=["audits"])


class AuditIn(BaseModel):
    """A new audit (engagement / report period)."""

    name: str = Field(min_length=1, max_length=300, description="Name, unique within the organization.")
    framework: str = Field(default="soc2", max_length=40, description="soc2, internal, government, ...")
    period_start: date | None = Field(default=None, description="First day of the period audited.")
    period_end: date | None = Field(default=None, description="Last day of the period audited.")
    auditee: str | None = Field(default=None, max_length=300, description="Entity audited.")

    @model_validator(mode="after")
    def _period_order(self) -> AuditIn:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


class AuditOut(BaseModel):
    """An audit with counts of its documents and findings."""

    id: str = Field(description="Audit id.")
    name: str = Field(description="Audit name.")
    framework: str = Field(description="Framework.")
    period_start: date | None = Field(default=None, description="Period start.")
    period_end: date | None = Field(default=None, description="Period end.")
    auditee: str | None = Field(default=None, description="Entity audited.")
    created_at: datetime = Field(description="When it was created.")
    documents: int = Field(default=0, description="Number of documents.")
    findings: int = Field(default=0, description="Number of findings.")


def audit_out(row: Audit, documents: int = 0, findings: int = 0) -> AuditOut:
    """Response model of an audit row."""
    return AuditOut(
        id=row.id,
        name=row.name,
        framework=row.framework,
        period_start=row.period_start,
        period_end=row.period_end,
        auditee=row.auditee,
        created_at=row.created_at,
        documents=documents,
        findings=findings,
    )


@router.post("/audits", status_code=201)
def create_audit(body: AuditIn, principal: AuditWriter, container: ContainerDep) -> AuditOut:
    """Create an audit in the caller's organization (409 when the name is taken)."""
    name = body.name.strip()
    if not name:
        raise InvalidInputError("audit name must not be blank")
    with container.database.session() as session:
        row = catalog.create_audit(
            session, org_id=principal.org_id, name=name, framework=body.framework, auditee=body.auditee
        )
        row.period_start, row.period_end = body.period_start, body.period_end
        session.flush()
        record_event(
            session,
            org_id=principal.org_id,
            actor_key_id=principal.key_id,
            action="audit.created",
            object_type="audit",
            object_id=row.id,
            detail={"name": name},
        )
        return audit_out(row)


def _counts(session: Any, org_id: str, model: Any) -> dict[str, int]:
    rows = session.execute(
        select(model.audit_id, func.count()).where(model.org_id == org_id).group_by(model.audit_id)
    ).all()
    return {audit_id: int(n) for audit_id, n in rows}


@router.get("/audits")
def list_audits(principal: Reader, container: ContainerDep) -> list[AuditOut]:
    """Every audit of the caller's organization, newest first."""
    with container.database.session() as session:
        rows = catalog.list_audits(session, org_id=principal.org_id)
        docs = _counts(session, principal.org_id, Document)
        finds = _counts(session, principal.org_id, FindingRow)
        return [audit_out(r, docs.get(r.id, 0), finds.get(r.id, 0)) for r in rows]


@router.get("/audits/{audit_id}")
def get_audit(audit_id: str, principal: Reader, container: ContainerDep) -> AuditOut:
    """One audit of the caller's organization."""
    with container.database.session() as session:
        row = catalog.get_audit(session, org_id=principal.org_id, audit_id=audit_id)
        docs = _counts(session, principal.org_id, Document).get(row.id, 0)
        finds = _counts(session, principal.org_id, FindingRow).get(row.id, 0)
        return audit_out(row, docs, finds)
