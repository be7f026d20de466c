"""Organizations, audits, documents and findings: every lookup is scoped to the caller's organization.

Functions take an open Session so callers can put several writes into one transaction
(`with database.session() as s: ...`). A foreign id looks exactly like a missing one (NotFoundError).
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analyzer.errors import ConfigError, ConflictError, NotFoundError
from analyzer.models import Finding, utcnow
from analyzer.storage.keys import ensure_org
from analyzer.storage.tables import Audit, Document, FindingRow, Organization

DOCUMENT_STATUSES = ("queued", "processing", "ready", "failed")


def _digest(*parts: str, length: int) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


# --- organizations ----------------------------------------------------------------------------------
def get_or_create_organization(session: Session, *, name: str) -> Organization:
    """The organization with this name, created on first use (same id scheme as API-key setup)."""
    return ensure_org(session, name)


def find_organization(session: Session, *, name: str) -> Organization | None:
    """The organization with this name, or None (never creates one)."""
    return session.scalar(select(Organization).where(Organization.name == name.strip()))


def get_organization(session: Session, *, org_id: str) -> Organization:
    """The organization with this id, or NotFoundError."""
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFoundError(f"organization {org_id} not found")
    return org


# --- audits -----------------------------------------------------------------------------------------
def audit_id_for(org_id: str, name: str) -> str:
    """Stable audit id from organization and audit name (unique per organization by construction)."""
    return "aud_" + _digest(org_id, name.strip(), length=20)


def find_audit(session: Session, *, org_id: str, name: str) -> Audit | None:
    """The organization's audit with this name, or None."""
    return session.scalar(select(Audit).where(Audit.org_id == org_id, Audit.name == name.strip()))


def create_audit(
    session: Session,
    *,
    org_id: str,
    name: str,
    framework: str = "soc2",
    auditee: str | None = None,
) -> Audit:
    """Create an audit in an organization; ConflictError when the name is taken there."""
    name = name.strip()
    if not name:
        raise ConfigError("audit name must not be empty")
    get_organization(session, org_id=org_id)
    if find_audit(session, org_id=org_id, name=name) is not None:
        raise ConflictError(f"audit {name!r} already exists in this organization")
    audit = Audit(
        id=audit_id_for(org_id, name),
        org_id=org_id,
        name=name,
        framework=framework,
        auditee=auditee,
        created_at=utcnow(),
    )
    session.add(audit)
    session.flush()
    return audit


def get_or_create_audit(session: Session, *, org_id: str, name: str, framework: str = "soc2") -> Audit:
    """The organization's audit with this name, created on first use."""
    return find_audit(session, org_id=org_id, name=name) or create_audit(
        session, org_id=org_id, name=name, framework=framework
    )


def get_audit(session: Session, *, org_id: str, audit_id: str) -> Audit:
    """The audit with this id in this organization, or NotFoundError (also for another org's audit)."""
    audit = session.scalar(select(Audit).where(Audit.id == audit_id, Audit.org_id == org_id))
    if audit is None:
        raise NotFoundError(f"audit {audit_id} not found")
    return audit


def list_audits(session: Session, *, org_id: str) -> list[Audit]:
    """Every audit of an organization, oldest first."""
    rows = session.scalars(select(Audit).where(Audit.org_id == org_id).order_by(Audit.created_at, Audit.name))
    return list(rows)


# --- documents --------------------------------------------------------------------------------------
def document_id_for(audit_id: str, content_hash: str) -> str:
    """Stable document id: the same content in the same audit is the same document."""
    return "doc_" + _digest(audit_id, content_hash, length=24)


def find_document(session: Session, *, org_id: str, audit_id: str, content_hash: str) -> Document | None:
    """The document of an audit with this SHA-256, or None."""
    return session.scalar(
        select(Document).where(
            Document.org_id == org_id,
            Document.audit_id == audit_id,
            Document.content_hash == content_hash,
        )
    )


def get_document(session: Session, *, org_id: str, document_id: str) -> Document:
    """The document with this id in this organization, or NotFoundError."""
    doc = session.scalar(select(Document).where(Document.id == document_id, Document.org_id == org_id))
    if doc is None:
        raise NotFoundError(f"document {document_id} not found")
    return doc


def list_documents(session: Session, *, org_id: str, audit_id: str) -> list[Document]:
    """Every document of an audit, oldest first."""
    rows = session.scalars(
        select(Document)
        .where(Document.org_id == org_id, Document.audit_id == audit_id)
        .order_by(Document.created_at, Document.filename)
    )
    return list(rows)


def save_document(
    session: Session,
    *,
    org_id: str,
    audit_id: str,
    content_hash: str,
    filename: str,
    kind: str,
    status: str,
    size_bytes: int = 0,
    media_type: str | None = None,
    storage_path: str | None = None,
    error: str | None = None,
    pages: int | None = None,
    elements: int | None = None,
    chunks: int | None = None,
    findings_count: int | None = None,
    reconciliation: dict[str, Any] | None = None,
) -> Document:
    """Create or update the document row for (audit, content hash) with its latest state."""
    if status not in DOCUMENT_STATUSES:
        raise ValueError(f"unknown document status {status!r}")
    get_audit(session, org_id=org_id, audit_id=audit_id)
    doc = find_document(session, org_id=org_id, audit_id=audit_id, content_hash=content_hash)
    if doc is None:
        doc = Document(
            id=document_id_for(audit_id, content_hash),
            org_id=org_id,
            audit_id=audit_id,
            content_hash=content_hash,
            created_at=utcnow(),
        )
        session.add(doc)
    doc.filename = filename
    doc.kind = kind
    doc.status = status
    doc.size_bytes = size_bytes
    # What an earlier step knew (the upload's media type and stored path) is kept when not given again.
    doc.media_type = media_type if media_type is not None else doc.media_type
    doc.storage_path = storage_path if storage_path is not None else doc.storage_path
    doc.error = error
    doc.pages = pages
    doc.elements = elements
    doc.chunks = chunks
    doc.findings_count = findings_count
    doc.reconciliation = reconciliation
    doc.updated_at = utcnow()
    session.flush()
    return doc


# --- findings ---------------------------------------------------------------------------------------
def save_findings(
    session: Session, *, org_id: str, audit_id: str, document_id: str | None, findings: list[Finding]
) -> int:
    """Insert (or refresh) findings of one document; each must carry this org and audit."""
    get_audit(session, org_id=org_id, audit_id=audit_id)
    if document_id is not None:
        get_document(session, org_id=org_id, document_id=document_id)
    for finding in findings:
        if finding.org_id != org_id or finding.audit_id != audit_id:
            raise ConflictError(f"finding {finding.id} belongs to another organization or audit")
        if finding.document_id not in (None, document_id):
            raise ConflictError(f"finding {finding.id} belongs to another document")
        data = finding.model_copy(update={"document_id": document_id}).model_dump(mode="json")
        row = session.get(FindingRow, finding.id)
        if row is None:
            session.add(
                FindingRow(
                    id=finding.id,
                    org_id=org_id,
                    audit_id=audit_id,
                    document_id=document_id,
                    ordinal=finding.ordinal,
                    control_ref=finding.control_ref,
                    data=data,
                    created_at=utcnow(),
                )
            )
        elif row.org_id != org_id or row.audit_id != audit_id or row.document_id != document_id:
            raise ConflictError(f"finding id {finding.id} is already used by another document")
        else:
            row.ordinal, row.control_ref, row.data = finding.ordinal, finding.control_ref, data
    session.flush()
    return len(findings)


def list_findings(session: Session, *, org_id: str, audit_id: str) -> list[Finding]:
    """Findings of one audit in document order (document, then position in it)."""
    rows = session.scalars(
        select(FindingRow)
        .outerjoin(Document, Document.id == FindingRow.document_id)
        .where(FindingRow.org_id == org_id, FindingRow.audit_id == audit_id)
        .order_by(Document.created_at, FindingRow.document_id, FindingRow.ordinal, FindingRow.id)
    )
    return [Finding.model_validate(row.data) for row in rows]


def get_finding(session: Session, *, org_id: str, finding_id: str) -> Finding:
    """One finding of this organization, or NotFoundError."""
    row = session.scalar(select(FindingRow).where(FindingRow.id == finding_id, FindingRow.org_id == org_id))
    if row is None:
        raise NotFoundError(f"finding {finding_id} not found")
    return Finding.model_validate(row.data)


def count_findings(session: Session, *, org_id: str, audit_id: str, document_id: str | None = None) -> int:
    """How many findings an audit (or one of its documents) has."""
    query = (
        select(func.count())
        .select_from(FindingRow)
        .where(FindingRow.org_id == org_id, FindingRow.audit_id == audit_id)
    )
    if document_id is not None:
        query = query.where(FindingRow.document_id == document_id)
    return int(session.scalar(query) or 0)
