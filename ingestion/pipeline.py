"""The ingestion pipeline: file → parse → findings → chunks → vector index → catalog, one file at a time.

Per file it is all-or-nothing: chunks are indexed first (atomically), then the document row and its
findings are written in one transaction; when that write fails the chunks are removed again. Identical
content in the same audit is recognised by its SHA-256 and returned as it is, duplicating nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from analyzer.errors import AuditlensError, IngestionError
from analyzer.models import Chunk, DocumentKind, Finding
from analyzer.ports import Embedder, VectorIndex
from analyzer.settings import Settings
from analyzer.storage import catalog
from analyzer.storage.db import Database
from analyzer.storage.tables import Document
from ingestion import filetypes
from ingestion.chunking import chunk_document
from ingestion.extract import extract_findings, import_findings
from ingestion.extract.structured_import import ImportResult, NotAFindingsList
from ingestion.limits import check_size
from ingestion.parser import DocumentParser, parse_file

_HASH_BLOCK = 1 << 20
_LIST_TYPES = (filetypes.CSV, filetypes.XLSX, filetypes.JSON)

Status = Literal["ready", "duplicate", "failed"]


class DocumentResult(BaseModel):
    """What happened to one file: counts, reconciliation of exception markers, status and error."""

    file: str = Field(description="File name as given by the user (or the upload's client name).")
    document_id: str | None = Field(default=None, description="Catalog id of the document, once known.")
    kind: DocumentKind = Field(description="report / evidence / policy.")
    status: Status = Field(description="`ready`, `duplicate` (already ingested, nothing redone) or `failed`.")
    pages: int = Field(default=0, ge=0, description="Pages parsed (0 for formats without pages).")
    elements: int = Field(default=0, ge=0, description="Parser elements.")
    chunks: int = Field(default=0, ge=0, description="Chunks stored in the vector index.")
    findings: int = Field(default=0, ge=0, description="Findings extracted or imported.")
    reconciliation: dict[str, Any] | None = Field(
        default=None,
        description="Exception markers counted vs findings extracted (markers/extracted/matched).",
    )
    error: str | None = Field(default=None, description="One-line reason when the file failed.")

    @property
    def reconciliation_mismatch(self) -> bool:
        """True when the marker count and the extracted findings disagree."""
        return bool(self.reconciliation) and self.reconciliation.get("matched") is False  # type: ignore[union-attr]


class IngestReport(BaseModel):
    """Result of one ingest command: the organization, the audit and one row per file."""

    org_id: str = Field(description="Organization id.")
    audit_id: str = Field(description="Audit id.")
    files: list[DocumentResult] = Field(default_factory=list, description="One row per file, in input order.")

    @property
    def succeeded(self) -> int:
        """Files that are in the catalog now (newly ingested or already there)."""
        return sum(1 for row in self.files if row.status != "failed")

    @property
    def failed(self) -> int:
        """Files that could not be ingested."""
        return sum(1 for row in self.files if row.status == "failed")


@dataclass
class _Prepared:
    """Everything computed before anything is stored."""

    media_type: str | None = None
    pages: int = 0
    elements: int = 0
    chunks: list[Chunk] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    reconciliation: dict[str, Any] | None = None
    imported: bool = False  # findings came from a structured list, not from report text


def _sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _reconciliation(value: Any) -> dict[str, Any] | None:
    """The extractor's reconciliation as stored: its own fields plus the short markers/extracted keys."""
    if value is None:
        return None
    data = value.model_dump(mode="json") if isinstance(value, BaseModel) else dict(value)
    data.setdefault("markers", data.get("markers_found"))
    data.setdefault("extracted", data.get("findings_extracted"))
    return data


def _result_from_row(doc: Document, *, file: str, status: Status) -> DocumentResult:
    return DocumentResult(
        file=file,
        document_id=doc.id,
        kind=DocumentKind(doc.kind),
        status=status,
        pages=doc.pages or 0,
        elements=doc.elements or 0,
        chunks=doc.chunks or 0,
        findings=doc.findings_count or 0,
        reconciliation=doc.reconciliation,
        error=doc.error,
    )


def _import_findings_list(
    path: Path, *, media_type: str, org_id: str, audit_id: str, document_id: str, filename: str
) -> ImportResult | None:
    """Findings of a CSV/XLSX/JSON findings list, or None when a table is not one (JSON must be one)."""
    try:
        return import_findings(
            path, org_id=org_id, audit_id=audit_id, document_id=document_id, filename=filename
        )
    except NotAFindingsList:
        if media_type == filetypes.JSON:
            raise
        return None  # an ordinary spreadsheet: parsed and indexed like any other document


def _prepare(
    path: Path,
    *,
    filename: str,
    org_id: str,
    audit_id: str,
    document_id: str,
    kind: DocumentKind,
    settings: Settings,
    parser: DocumentParser | None,
) -> _Prepared:
    """Parse, extract (or import) findings and chunk one file; raises IngestionError on bad input."""
    media_type = filetypes.detect_media_type(path, settings=settings)
    prepared = _Prepared(media_type=media_type)
    if kind == DocumentKind.REPORT and media_type in _LIST_TYPES:
        imported = _import_findings_list(
            path,
            media_type=media_type,
            org_id=org_id,
            audit_id=audit_id,
            document_id=document_id,
            filename=filename,
        )
        if imported is not None:
            prepared.findings = list(imported.findings)
            prepared.reconciliation = _reconciliation(imported.reconciliation)
            prepared.imported = True
            if media_type == filetypes.JSON:
                return prepared  # a JSON list has no document text worth indexing
    if parser is not None:
        parsed = parser.parse(path, kind=kind, filename=filename, media_type=media_type)
    else:
        parsed = parse_file(path, settings=settings, kind=kind, filename=filename)
    prepared.pages = parsed.pages
    prepared.elements = len(parsed.elements)
    # Evidence and policies are retrieval material only: they hold no auditor findings to extract.
    if kind == DocumentKind.REPORT and not prepared.imported:
        result = extract_findings(parsed, org_id=org_id, audit_id=audit_id, document_id=document_id)
        prepared.findings = list(result.findings)
        prepared.reconciliation = _reconciliation(result.reconciliation)
    prepared.chunks = chunk_document(parsed, org_id=org_id, audit_id=audit_id, document_id=document_id)
    return prepared


def _record_failure(
    database: Database,
    *,
    org_id: str,
    audit_id: str,
    content_hash: str,
    filename: str,
    kind: DocumentKind,
    size: int,
    storage_path: str | None,
    reason: str,
) -> None:
    """Keep a `failed` document row with the reason (no chunks, no findings); best effort."""
    with contextlib.suppress(Exception), database.session() as session:
        catalog.save_document(
            session,
            org_id=org_id,
            audit_id=audit_id,
            content_hash=content_hash,
            filename=filename,
            kind=str(kind),
            status="failed",
            size_bytes=size,
            storage_path=storage_path,
            error=reason,
        )


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, IngestionError):
        return exc.reason
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if isinstance(exc, AuditlensError) else f"{type(exc).__name__}: {text}"


def build_index(settings: Settings, embedder: Embedder | None = None) -> VectorIndex:
    """The configured vector index (Chroma) with the configured embedder."""
    from analyzer.adapters.chroma_index import ChromaIndex
    from analyzer.adapters.embeddings import build_embedder

    return ChromaIndex(embedder=embedder or build_embedder(settings), settings=settings)


def ingest_document(
    path: Path,
    *,
    filename: str | None = None,
    org_id: str,
    audit_id: str,
    kind: DocumentKind | str = DocumentKind.REPORT,
    settings: Settings,
    database: Database,
    index: VectorIndex | None = None,
    embedder: Embedder | None = None,
    storage_path: str | None = None,
    parser: DocumentParser | None = None,
) -> DocumentResult:
    """Ingest one file into an existing audit; never raises for a bad file (status=failed with a reason)."""
    kind = DocumentKind(kind)
    name = filename or path.name
    with database.session() as session:
        catalog.get_audit(session, org_id=org_id, audit_id=audit_id)  # org check before touching anything
    try:
        check_size(path, settings=settings)  # before hashing: an oversized file is not even read
        content_hash, size = _sha256(path)
    except IngestionError as exc:
        return DocumentResult(file=name, kind=kind, status="failed", error=exc.reason)
    except OSError as exc:
        missing = isinstance(exc, FileNotFoundError)
        reason = "file not found" if missing else f"cannot read file: {exc.strerror}"
        return DocumentResult(file=name, kind=kind, status="failed", error=reason)
    with database.session() as session:
        existing = catalog.find_document(session, org_id=org_id, audit_id=audit_id, content_hash=content_hash)
        if existing is not None and existing.status == "ready":
            return _result_from_row(existing, file=name, status="duplicate")
    document_id = catalog.document_id_for(audit_id, content_hash)

    def failed(reason: str) -> DocumentResult:
        _record_failure(
            database,
            org_id=org_id,
            audit_id=audit_id,
            content_hash=content_hash,
            filename=name,
            kind=kind,
            size=size,
            storage_path=storage_path,
            reason=reason,
        )
        return DocumentResult(file=name, document_id=document_id, kind=kind, status="failed", error=reason)

    try:
        prepared = _prepare(
            path,
            filename=name,
            org_id=org_id,
            audit_id=audit_id,
            document_id=document_id,
            kind=kind,
            settings=settings,
            parser=parser,
        )
    except Exception as exc:  # parser/extractor bugs must not stop the other files either
        return failed(_one_line(exc))

    index = index or build_index(settings, embedder)
    try:
        stored = index.replace_document(org_id=org_id, document_id=document_id, chunks=prepared.chunks)
    except Exception as exc:
        return failed(f"indexing failed: {_one_line(exc)}")

    try:
        with database.session() as session:
            doc = catalog.save_document(
                session,
                org_id=org_id,
                audit_id=audit_id,
                content_hash=content_hash,
                filename=name,
                kind=str(kind),
                status="ready",
                size_bytes=size,
                media_type=prepared.media_type,
                storage_path=storage_path,
                pages=prepared.pages,
                elements=prepared.elements,
                chunks=stored,
                findings_count=len(prepared.findings),
                reconciliation=prepared.reconciliation,
            )
            catalog.save_findings(
                session, org_id=org_id, audit_id=audit_id, document_id=doc.id, findings=prepared.findings
            )
            result = _result_from_row(doc, file=name, status="ready")
    except BaseException as exc:  # also Ctrl-C: chunks without their document row must not stay visible
        # A concurrent ingest of the same content may have won the race: then its chunks are the live
        # ones and must stay. Otherwise the chunks written above are removed again.
        winner: DocumentResult | None = None
        with contextlib.suppress(Exception), database.session() as session:
            row = catalog.find_document(session, org_id=org_id, audit_id=audit_id, content_hash=content_hash)
            if row is not None and row.status == "ready":
                winner = _result_from_row(row, file=name, status="duplicate")
        if winner is None:
            with contextlib.suppress(Exception):
                index.delete_document(org_id=org_id, document_id=document_id)
        if not isinstance(exc, Exception):
            raise
        return winner or failed(f"saving failed: {_one_line(exc)}")
    return result


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus the files inside named directories (sorted, hidden ones skipped)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            out.append(path)
    return out


def ingest_paths(
    paths: Sequence[Path],
    *,
    org: str,
    audit: str,
    kind: DocumentKind | str = DocumentKind.REPORT,
    settings: Settings,
    database: Database,
    index: VectorIndex | None = None,
    embedder: Embedder | None = None,
    on_progress: Callable[[DocumentResult], None] | None = None,
    parser: DocumentParser | None = None,
) -> IngestReport:
    """Ingest files into an organization's audit (both created by name on first use); one row per file."""
    with database.session() as session:
        organization = catalog.get_or_create_organization(session, name=org)
        audit_row = catalog.get_or_create_audit(session, org_id=organization.id, name=audit)
        report = IngestReport(org_id=organization.id, audit_id=audit_row.id)
    files = expand_paths(paths)
    if files and index is None:
        index = build_index(settings, embedder)
    # One parser process for the whole run: starting it (unstructured + spaCy) costs seconds.
    with contextlib.ExitStack() as stack:
        if parser is None:
            parser = stack.enter_context(DocumentParser(settings))
        for path in files:
            row = ingest_document(
                path,
                filename=path.name,
                org_id=report.org_id,
                audit_id=report.audit_id,
                kind=kind,
                settings=settings,
                database=database,
                index=index,
                parser=parser,
            )
            row.file = str(path)  # the user's spelling, so the error line names what they typed
            report.files.append(row)
            if on_progress is not None:
                on_progress(row)
    return report
