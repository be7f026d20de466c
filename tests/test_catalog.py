"""Catalog on SQLite and PostgreSQL: org-scoped lookups, idempotent documents, findings round trip."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from analyzer.errors import ConflictError, NotFoundError
from analyzer.models import Finding, FindingLayout, SampleFacts
from analyzer.storage import catalog
from analyzer.storage.db import Database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'catalog.db'}")
        db.upgrade()
        yield db
        db.dispose()
        return
    base_url = make_url(request.getfixturevalue("postgres_url"))
    name = f"auditlens_catalog_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(base_url.set(database=name).render_as_string(hide_password=False))
    try:
        db.upgrade()
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _finding(org_id: str, audit_id: str, i: int, **extra: object) -> Finding:
    return Finding(
        id=f"f-{audit_id}-{i}",
        org_id=org_id,
        audit_id=audit_id,
        layout=FindingLayout.CONTROL_MATRIX,
        ordinal=i,
        control_ref=f"CC{i + 1}.1",
        text=f"Exception number {i}",
        sample=SampleFacts(exceptions=1, sample_size=25, text="1 of 25"),
        **extra,
    )


def test_orgs_and_audits_are_scoped(database: Database) -> None:
    with database.session() as s:
        a = catalog.get_or_create_organization(s, name="Acme")
        b = catalog.get_or_create_organization(s, name="Globex")
        assert catalog.get_or_create_organization(s, name="Acme").id == a.id
        audit = catalog.get_or_create_audit(s, org_id=a.id, name="SOC 2 2025")
        assert catalog.get_or_create_audit(s, org_id=a.id, name="SOC 2 2025").id == audit.id
        same_name_b = catalog.get_or_create_audit(s, org_id=b.id, name="SOC 2 2025")
        assert same_name_b.id != audit.id
        a_id, b_id, audit_id = a.id, b.id, audit.id
    with database.session() as s:
        assert catalog.get_audit(s, org_id=a_id, audit_id=audit_id).name == "SOC 2 2025"
        with pytest.raises(NotFoundError):
            catalog.get_audit(s, org_id=b_id, audit_id=audit_id)
        with pytest.raises(ConflictError):
            catalog.create_audit(s, org_id=a_id, name="SOC 2 2025")
        assert [x.id for x in catalog.list_audits(s, org_id=b_id)] == [same_name_b.id]
        assert catalog.find_organization(s, name="Nobody") is None
        with pytest.raises(NotFoundError):
            catalog.create_audit(s, org_id="missing-org", name="x")


def test_documents_and_findings_round_trip(database: Database) -> None:
    with database.session() as s:
        org = catalog.get_or_create_organization(s, name="Acme")
        other = catalog.get_or_create_organization(s, name="Globex")
        audit = catalog.get_or_create_audit(s, org_id=org.id, name="2025")
        org_id, other_id, audit_id = org.id, other.id, audit.id
        doc = catalog.save_document(
            s,
            org_id=org_id,
            audit_id=audit_id,
            content_hash="h" * 64,
            filename="report.pdf",
            kind="report",
            status="ready",
            pages=3,
            reconciliation={"markers": 2, "extracted": 2, "matched": True},
        )
        findings = [_finding(org_id, audit_id, i, document="report.pdf", page=i + 1) for i in (1, 0)]
        assert catalog.save_findings(
            s, org_id=org_id, audit_id=audit_id, document_id=doc.id, findings=findings
        )
        doc_id = doc.id
    with database.session() as s:
        again = catalog.save_document(
            s,
            org_id=org_id,
            audit_id=audit_id,
            content_hash="h" * 64,
            filename="report.pdf",
            kind="report",
            status="ready",
        )
        assert again.id == doc_id  # same content in same audit = same row
        assert len(catalog.list_documents(s, org_id=org_id, audit_id=audit_id)) == 1
        listed = catalog.list_findings(s, org_id=org_id, audit_id=audit_id)
        assert [f.ordinal for f in listed] == [0, 1]
        assert listed[0].document_id == doc_id and listed[0].sample == findings[1].sample
        assert catalog.count_findings(s, org_id=org_id, audit_id=audit_id, document_id=doc_id) == 2
        assert catalog.get_finding(s, org_id=org_id, finding_id=listed[0].id).text == "Exception number 0"
        # another organization sees none of it
        assert catalog.list_findings(s, org_id=other_id, audit_id=audit_id) == []
        assert catalog.find_document(s, org_id=other_id, audit_id=audit_id, content_hash="h" * 64) is None
        with pytest.raises(NotFoundError):
            catalog.get_finding(s, org_id=other_id, finding_id=listed[0].id)
        with pytest.raises(NotFoundError):
            catalog.get_document(s, org_id=other_id, document_id=doc_id)


def test_findings_of_another_org_are_refused(database: Database) -> None:
    with database.session() as s:
        org = catalog.get_or_create_organization(s, name="Acme")
        other = catalog.get_or_create_organization(s, name="Globex")
        audit = catalog.get_or_create_audit(s, org_id=org.id, name="2025")
        doc = catalog.save_document(
            s,
            org_id=org.id,
            audit_id=audit.id,
            content_hash="x" * 64,
            filename="r.pdf",
            kind="report",
            status="ready",
        )
        ids = (org.id, other.id, audit.id, doc.id)
    org_id, other_id, audit_id, doc_id = ids
    with pytest.raises(ConflictError), database.session() as s:
        catalog.save_findings(
            s,
            org_id=org_id,
            audit_id=audit_id,
            document_id=doc_id,
            findings=[_finding(other_id, audit_id, 0)],
        )
    with pytest.raises(NotFoundError), database.session() as s:
        catalog.save_findings(s, org_id=other_id, audit_id=audit_id, document_id=doc_id, findings=[])
    with database.session() as s:
        assert catalog.count_findings(s, org_id=org_id, audit_id=audit_id) == 0
