"""Ingestion end to end on real parts: parser, extractor, MiniLM, Chroma PersistentClient, SQLite."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from analyzer.adapters.chroma_index import ChromaIndex
from analyzer.adapters.embeddings import MiniLMEmbedder
from analyzer.models import DocumentKind
from analyzer.settings import Settings
from analyzer.storage import catalog
from analyzer.storage.db import Database
from analyzer.storage.tables import Document, FindingRow
from ingestion.parser import DocumentParser
from ingestion.pipeline import ingest_document, ingest_paths
from tests.embedders import FailingEmbedder
from tests.ingestion.files import REPORT_MD

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

EVIDENCE_MD = """# Offboarding procedure

HR records the departure date. The identity team disables directory, VPN and SaaS accounts within
one business day and attaches the export of disabled accounts to the ticket.
"""


@pytest.fixture(scope="module")
def doc_parser() -> Iterator[DocumentParser]:
    """One parser process for the module (its start-up costs seconds)."""
    with DocumentParser(Settings()) as parser:
        yield parser


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=None, chroma_url=None)


@pytest.fixture
def database(settings: Settings) -> Database:
    db = Database(settings.resolved_database_url)
    db.upgrade()
    return db


@pytest.fixture
def index(settings: Settings, minilm: MiniLMEmbedder) -> ChromaIndex:
    return ChromaIndex(embedder=minilm, settings=settings)


def _counts(database: Database) -> tuple[int, int]:
    with database.session() as s:
        docs = s.scalar(select(func.count()).select_from(Document).where(Document.status == "ready"))
        findings = s.scalar(select(func.count()).select_from(FindingRow))
    return int(docs or 0), int(findings or 0)


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_report_and_evidence_end_to_end_and_reingest(
    doc_parser: DocumentParser, tmp_path: Path, settings: Settings, database: Database, index: ChromaIndex
) -> None:
    report = _write(tmp_path, "report.md", REPORT_MD)
    evidence = _write(tmp_path, "offboarding.md", EVIDENCE_MD)
    first = ingest_paths(
        [report],
        org="Acme",
        audit="SOC 2 2025",
        settings=settings,
        database=database,
        index=index,
        parser=doc_parser,
    )
    (row,) = first.files
    assert row.status == "ready", row.error
    assert row.elements > 0 and row.chunks > 0
    assert row.findings >= 1
    assert row.reconciliation is not None
    ev = ingest_paths(
        [evidence],
        org="Acme",
        audit="SOC 2 2025",
        kind=DocumentKind.EVIDENCE,
        settings=settings,
        database=database,
        index=index,
        parser=doc_parser,
    )
    assert ev.files[0].status == "ready" and ev.files[0].findings == 0
    docs, findings = _counts(database)
    assert (docs, findings) == (2, row.findings)
    assert index.document_chunk_count(org_id=first.org_id, document_id=row.document_id or "") == row.chunks

    hits = index.search(
        org_id=first.org_id, query="accounts disabled on departure", k=5, kinds=[DocumentKind.EVIDENCE]
    )
    assert hits and {h.chunk.document for h in hits} == {"offboarding.md"}

    # Re-ingesting the same bytes (even under another name) duplicates nothing.
    copy = _write(tmp_path, "report-copy.md", REPORT_MD)
    again = ingest_paths(
        [report, copy],
        org="Acme",
        audit="SOC 2 2025",
        settings=settings,
        database=database,
        index=index,
        parser=doc_parser,
    )
    assert [r.status for r in again.files] == ["duplicate", "duplicate"]
    assert [r.document_id for r in again.files] == [row.document_id] * 2
    assert again.files[0].findings == row.findings and again.files[0].chunks == row.chunks
    assert _counts(database) == (docs, findings)
    assert index.document_chunk_count(org_id=first.org_id, document_id=row.document_id or "") == row.chunks

    # The same content in another audit is a separate document.
    other = ingest_paths(
        [report],
        org="Acme",
        audit="SOC 2 2026",
        settings=settings,
        database=database,
        index=index,
        parser=doc_parser,
    )
    assert other.files[0].status == "ready" and other.files[0].document_id != row.document_id
    assert _counts(database) == (docs + 1, findings + row.findings)


def test_bad_files_fail_one_line_each_and_others_continue(
    doc_parser: DocumentParser, tmp_path: Path, settings: Settings, database: Database, index: ChromaIndex
) -> None:
    empty = _write(tmp_path, "empty.pdf", b"")
    binary = _write(tmp_path, "image.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    good = _write(tmp_path, "report.md", REPORT_MD)
    missing = tmp_path / "missing.pdf"
    report = ingest_paths(
        [empty, binary, missing, good],
        org="Acme",
        audit="A",
        settings=settings,
        database=database,
        index=index,
        parser=doc_parser,
    )
    statuses = [r.status for r in report.files]
    assert statuses == ["failed", "failed", "failed", "ready"]
    for row in report.files[:3]:
        assert row.error and "\n" not in row.error
        assert row.chunks == 0 and row.findings == 0
    assert "empty" in (report.files[0].error or "").lower()
    assert "unsupported" in (report.files[1].error or "").lower()
    assert report.succeeded == 1 and report.failed == 3
    with database.session() as s:
        failed = s.scalars(select(Document).where(Document.status == "failed")).all()
        # the empty and the missing file are refused before they are read, so only the PNG has a row
        assert {d.filename for d in failed} == {"image.pdf"}
        assert all(d.error for d in failed)


def test_indexing_failure_stores_nothing(
    doc_parser: DocumentParser, tmp_path: Path, settings: Settings, database: Database, minilm: MiniLMEmbedder
) -> None:
    # One chunk per heading: 70 short sections make two embedding batches (64 + 6); the 2nd one fails.
    body = "\n\n".join(
        f"## Control area {i}\n\nReviewed in period {i}; no exceptions noted." for i in range(70)
    )
    path = _write(tmp_path, "long.md", "# Section IV\n\n" + body)
    failing = FailingEmbedder(minilm, fail_on_call=2)
    with database.session() as s:
        org = catalog.get_or_create_organization(s, name="Acme")
        audit = catalog.get_or_create_audit(s, org_id=org.id, name="A")
        org_id, audit_id = org.id, audit.id
    result = ingest_document(
        path,
        org_id=org_id,
        audit_id=audit_id,
        kind=DocumentKind.REPORT,
        settings=settings,
        database=database,
        index=ChromaIndex(embedder=failing, settings=settings),
        parser=doc_parser,
    )
    assert failing.calls == 2, "the document must span several batches for this test to mean anything"
    assert result.status == "failed" and "embedding service unavailable" in (result.error or "")
    good_index = ChromaIndex(embedder=minilm, settings=settings)
    assert good_index.document_chunk_count(org_id=org_id, document_id=result.document_id or "") == 0
    assert good_index.search(org_id=org_id, query="change tickets", k=3) == []
    assert _counts(database) == (0, 0)
    with database.session() as s:
        row = catalog.get_document(s, org_id=org_id, document_id=result.document_id or "")
        assert row.status == "failed" and row.chunks is None

    # Retrying with a working embedder ingests it fully into the same document row.
    retry = ingest_document(
        path,
        org_id=org_id,
        audit_id=audit_id,
        settings=settings,
        database=database,
        index=good_index,
        parser=doc_parser,
    )
    assert retry.status == "ready" and retry.document_id == result.document_id
    assert good_index.document_chunk_count(org_id=org_id, document_id=retry.document_id or "") == retry.chunks


def test_database_failure_removes_the_chunks(
    doc_parser: DocumentParser, tmp_path: Path, settings: Settings, database: Database, index: ChromaIndex
) -> None:
    # A real constraint failure inside the write transaction (as a full disk or a lost connection would be).
    with database.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER refuse_ready BEFORE UPDATE OF status ON documents "
                "WHEN NEW.status = 'ready' BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER refuse_ready_insert BEFORE INSERT ON documents "
                "WHEN NEW.status = 'ready' BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END"
            )
        )
    path = _write(tmp_path, "report.md", REPORT_MD)
    report = ingest_paths(
        [path], org="Acme", audit="A", settings=settings, database=database, index=index, parser=doc_parser
    )
    (row,) = report.files
    assert row.status == "failed" and "simulated write failure" in (row.error or "")
    assert index.document_chunk_count(org_id=report.org_id, document_id=row.document_id or "") == 0
    assert index.search(org_id=report.org_id, query="departed employees access", k=3) == []
    assert _counts(database) == (0, 0)


def test_foreign_audit_is_refused(
    doc_parser: DocumentParser, settings: Settings, database: Database, index: ChromaIndex, tmp_path: Path
) -> None:
    from analyzer.errors import NotFoundError

    with database.session() as s:
        a = catalog.get_or_create_organization(s, name="A")
        b = catalog.get_or_create_organization(s, name="B")
        audit_b = catalog.get_or_create_audit(s, org_id=b.id, name="B audit")
        a_id, audit_b_id = a.id, audit_b.id
    with pytest.raises(NotFoundError):
        ingest_document(
            _write(tmp_path, "r.md", REPORT_MD),
            org_id=a_id,
            audit_id=audit_b_id,
            settings=settings,
            database=database,
            index=index,
            parser=doc_parser,
        )
    assert _counts(database) == (0, 0)


@pytest.mark.slow
def test_bundled_soc2_report_matches_expected_findings(
    doc_parser: DocumentParser, settings: Settings, database: Database, index: ChromaIndex
) -> None:
    pdf = EXAMPLES / "acme-soc2-type2-2025.pdf"
    expected_path = EXAMPLES / "expected-findings.json"
    if not pdf.is_file() or not expected_path.is_file():
        pytest.skip("examples/acme-soc2-type2-2025.pdf or expected-findings.json not generated")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))["soc2"]["findings"]
    report = ingest_paths(
        [pdf],
        org="demo",
        audit="ACME 2025",
        settings=settings,
        database=database,
        index=index,
        parser=doc_parser,
    )
    (row,) = report.files
    assert row.status == "ready", row.error
    assert row.findings == len(expected)
    assert row.reconciliation and row.reconciliation.get("matched") is True
    with database.session() as s:
        stored = catalog.list_findings(s, org_id=report.org_id, audit_id=report.audit_id)
    assert sorted(f.control_ref or "" for f in stored) == sorted(e["control_ref"] for e in expected)
    again = ingest_paths(
        [pdf],
        org="demo",
        audit="ACME 2025",
        settings=settings,
        database=database,
        index=index,
        parser=doc_parser,
    )
    assert again.files[0].status == "duplicate"
    assert _counts(database) == (1, len(expected))


def test_findings_lists_are_imported_and_tables_are_documents(
    doc_parser: DocumentParser, tmp_path: Path, settings: Settings, database: Database, index: ChromaIndex
) -> None:
    csv_path = EXAMPLES / "findings-import.csv"
    json_path = EXAMPLES / "findings-import.json"
    if not csv_path.is_file() or not json_path.is_file():
        pytest.skip("examples/findings-import.csv/.json have not been generated")
    plain_table = _write(
        tmp_path, "inventory.csv", "hostname,owner,os\nweb-1,platform,linux\ndb-1,data,linux\n"
    )
    report = ingest_paths(
        [csv_path, json_path, plain_table],
        org="Acme",
        audit="2024 internal audit",
        settings=settings,
        database=database,
        index=index,
        parser=doc_parser,
    )
    rows = {Path(r.file).name: r for r in report.files}
    csv_row, json_row, table_row = (
        rows["findings-import.csv"],
        rows["findings-import.json"],
        rows["inventory.csv"],
    )
    assert csv_row.status == json_row.status == table_row.status == "ready"
    # The CSV has one row without condition text: imported 4 of 5, and the reconciliation says so.
    assert csv_row.findings == 4
    assert csv_row.reconciliation and csv_row.reconciliation["matched"] is False
    assert csv_row.reconciliation_mismatch
    assert csv_row.chunks > 0  # the table text is searchable evidence too
    assert json_row.findings == 4 and json_row.chunks == 0  # a JSON list has no document text
    assert table_row.findings == 0 and table_row.reconciliation is not None and table_row.chunks > 0
    with database.session() as s:
        stored = catalog.list_findings(s, org_id=report.org_id, audit_id=report.audit_id)
    assert len(stored) == 8
    assert {f.control_ref for f in stored if f.document == "findings-import.csv"} == {
        "CC6.2",
        "CC7.2",
        "CC7.4",
        "PI1.2",
    }


@pytest.mark.postgres
def test_pipeline_on_postgresql(
    doc_parser: DocumentParser, postgres_url: str, tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    base = make_url(postgres_url)
    name = f"auditlens_pipeline_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database = Database(base.set(database=name).render_as_string(hide_password=False))
    try:
        database.upgrade()
        settings = Settings(data_dir=tmp_path / "data", database_url=database.url)
        index = ChromaIndex(embedder=minilm, settings=settings)
        report = _write(tmp_path, "report.md", REPORT_MD)
        first = ingest_paths(
            [report],
            org="Acme",
            audit="A",
            settings=settings,
            database=database,
            index=index,
            parser=doc_parser,
        )
        assert first.files[0].status == "ready", first.files[0].error
        again = ingest_paths(
            [report],
            org="Acme",
            audit="A",
            settings=settings,
            database=database,
            index=index,
            parser=doc_parser,
        )
        assert again.files[0].status == "duplicate"
        assert _counts(database) == (1, first.files[0].findings) and first.files[0].findings >= 1
    finally:
        database.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
