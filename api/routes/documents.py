"""Document upload (queued for background ingestion) and document status."""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from analyzer.errors import IngestionError, InvalidInputError
from analyzer.models import DocumentKind, utcnow
from analyzer.storage import catalog
from analyzer.storage import jobs as job_store
from analyzer.storage.events import record_event
from analyzer.storage.tables import Document
from api.container import Container
from api.deps import AuditWriter, ContainerDep, Reader
from api.jobs import JobContext
from api.uploads import receive_upload

router = APIRouter(prefix="/v1", tags=["documents"])
INGEST_KIND = "ingest"


class DocumentOut(BaseModel):
    """A document and where its ingestion stands."""

    id: str = Field(description="Document id.")
    audit_id: str = Field(description="Audit the document belongs to.")
    status: str = Field(description="queued | processing | ready | failed.")
    error: str | None = Field(default=None, description="Why ingestion failed, when it did.")
    filename: str = Field(description="The client's file name (metadata only).")
    kind: str = Field(description="report | evidence | policy.")
    media_type: str | None = Field(default=None, description="Type detected from the content.")
    size_bytes: int = Field(default=0, description="Size of the file.")
    pages: int | None = Field(default=None, description="Pages parsed.")
    chunks: int | None = Field(default=None, description="Chunks indexed for retrieval.")
    findings_count: int | None = Field(default=None, description="Findings extracted.")
    reconciliation: dict[str, Any] | None = Field(default=None, description="Exception markers vs findings.")
    created_at: datetime = Field(description="When it was first uploaded.")


def document_out(doc: Document) -> DocumentOut:
    """Response model of a document row."""
    return DocumentOut(
        id=doc.id,
        audit_id=doc.audit_id,
        status=doc.status,
        error=doc.error,
        filename=doc.filename,
        kind=doc.kind,
        media_type=doc.media_type,
        size_bytes=doc.size_bytes,
        pages=doc.pages,
        chunks=doc.chunks,
        findings_count=doc.findings_count,
        reconciliation=doc.reconciliation,
        created_at=doc.created_at,
    )


@router.post(
    "/audits/{audit_id}/documents",
    status_code=202,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "kind": {"type": "string", "enum": [k.value for k in DocumentKind]},
                        },
                    }
                }
            },
        }
    },
)
async def upload_document(
    audit_id: str, request: Request, principal: AuditWriter, container: ContainerDep
) -> JSONResponse:
    """Store an upload and queue its ingestion; an identical re-upload answers the existing document."""
    with container.database.session() as session:
        catalog.get_audit(session, org_id=principal.org_id, audit_id=audit_id)  # 404 before reading the body
    received = await receive_upload(request, container.settings, org_id=principal.org_id)
    raw_kind = received.fields.get("kind") or DocumentKind.REPORT.value
    try:
        kind = DocumentKind(raw_kind)
    except ValueError:
        raise InvalidInputError(
            f"kind {raw_kind!r} is not one of {', '.join(k.value for k in DocumentKind)}"
        ) from None
    with container.database.session() as session:
        existing = catalog.find_document(
            session, org_id=principal.org_id, audit_id=audit_id, content_hash=received.sha256
        )
        if existing is not None and existing.status != "failed":
            record_event(
                session,
                org_id=principal.org_id,
                actor_key_id=principal.key_id,
                action="document.reuploaded",
                object_type="document",
                object_id=existing.id,
                detail={"filename": received.filename},
            )
            return JSONResponse(
                {"id": existing.id, "status": existing.status, "duplicate": True}, status_code=200
            )
        doc = catalog.save_document(
            session,
            org_id=principal.org_id,
            audit_id=audit_id,
            content_hash=received.sha256,
            filename=received.filename,
            kind=kind.value,
            status="queued",
            size_bytes=received.size,
            media_type=received.media_type,
            storage_path=str(received.path),
        )
        job = job_store.create_job(
            session,
            org_id=principal.org_id,
            kind=INGEST_KIND,
            params={"audit_id": audit_id, "actor_key_id": principal.key_id},
            item_keys=[doc.id],
        )
        record_event(
            session,
            org_id=principal.org_id,
            actor_key_id=principal.key_id,
            action="document.uploaded",
            object_type="document",
            object_id=doc.id,
            detail={
                "filename": received.filename,
                "kind": kind.value,
                "job_id": job.id,
                "bytes": received.size,
            },
        )
        body = {"id": doc.id, "status": doc.status, "job_id": job.id, "duplicate": False}
    runner = getattr(request.app.state, "job_runner", None)
    if runner is not None:
        runner.notify()
    return JSONResponse(body, status_code=202)


@router.get("/documents/{document_id}")
def get_document(document_id: str, principal: Reader, container: ContainerDep) -> DocumentOut:
    """A document of the caller's organization with its ingestion status."""
    with container.database.session() as session:
        return document_out(catalog.get_document(session, org_id=principal.org_id, document_id=document_id))


@router.get("/audits/{audit_id}/documents")
def list_documents(audit_id: str, principal: Reader, container: ContainerDep) -> list[DocumentOut]:
    """Documents of one audit of the caller's organization."""
    with container.database.session() as session:
        catalog.get_audit(session, org_id=principal.org_id, audit_id=audit_id)
        return [
            document_out(d)
            for d in catalog.list_documents(session, org_id=principal.org_id, audit_id=audit_id)
        ]


def ingest_item(container: Container, job: JobContext, document_id: str) -> dict[str, Any]:
    """Job handler: parse, extract and index one uploaded document (failures mark it failed, with why)."""
    from ingestion.pipeline import ingest_document

    with container.database.session() as session:
        doc = catalog.get_document(session, org_id=job.org_id, document_id=document_id)
        doc.status, doc.error, doc.updated_at = "processing", None, utcnow()
        path = Path(doc.storage_path or "")
        filename, kind, audit_id = doc.filename, doc.kind, doc.audit_id
    if not path.is_file():
        _mark_failed(container, job.org_id, document_id, "the stored upload is missing")
        raise IngestionError(filename, "the stored upload is missing")
    result = ingest_document(
        path,
        filename=filename,
        org_id=job.org_id,
        audit_id=audit_id,
        kind=kind,
        settings=container.settings,
        database=container.database,
        index=container.vector_index,
        embedder=container.embedder,
        storage_path=str(path),
    )
    if result.status == "failed":
        _mark_failed(container, job.org_id, document_id, result.error or "ingestion failed")
        raise IngestionError(filename, result.error or "ingestion failed")
    with container.database.session() as session:
        record_event(
            session,
            org_id=job.org_id,
            actor_key_id=job.params.get("actor_key_id"),
            action="document.ingested",
            object_type="document",
            object_id=document_id,
            detail={"findings": result.findings, "chunks": result.chunks, "pages": result.pages},
        )
    return {
        "status": result.status,
        "findings": result.findings,
        "chunks": result.chunks,
        "pages": result.pages,
    }


def _mark_failed(container: Container, org_id: str, document_id: str, reason: str) -> None:
    # The pipeline records failures itself; this covers failures before it ran.
    with contextlib.suppress(Exception), container.database.session() as session:
        doc = catalog.get_document(session, org_id=org_id, document_id=document_id)
        if doc.status != "ready":
            doc.status, doc.error, doc.updated_at = "failed", reason, utcnow()
