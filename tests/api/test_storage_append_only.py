"""Plan revisions (and audit events) are append-only: no code path updates or deletes them, and the
database refuses it too, on SQLite and PostgreSQL."""

from __future__ import annotations

import ast
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from analyzer.models import ActionPlan, FindingAnalysis, PlanStep, Provenance
from analyzer.storage import catalog, keys, plans
from analyzer.storage.db import Database
from analyzer.storage.tables import AuditEvent, FindingRow, PlanRevision
from analyzer.taxonomy import Severity, StepCategory

ROOT = Path(__file__).resolve().parents[2]


def _analysis(finding_id: str, summary: str) -> FindingAnalysis:
    step = PlanStep(
        title="Fix",
        description="Fix the control",
        category=next(iter(StepCategory)),
        owner_role="IT Manager",
        due_in_days=30,
        evidence_of_completion="Ticket",
    )
    return FindingAnalysis(
        finding_id=finding_id,
        exception_type=None,
        action_plan=ActionPlan(
            summary=summary, severity=next(iter(Severity)), severity_reason="r", steps=[step]
        ),
        provenance=Provenance(analyzer="offline", analyzer_version="test"),
    )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'a.db'}"
    else:
        url = request.getfixturevalue("pg_server_url")
        from sqlalchemy import create_engine

        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    db = Database(url)
    db.upgrade()
    yield db
    db.dispose()


def _seed(db: Database) -> str:
    with db.session() as s:
        org = keys.ensure_org(s, f"Org {uuid.uuid4().hex[:6]}")
        audit = catalog.create_audit(s, org_id=org.id, name="FY25")
        fid = f"fnd_{uuid.uuid4().hex[:12]}"
        s.add(FindingRow(id=fid, org_id=org.id, audit_id=audit.id, data={}, ordinal=0))
        s.flush()
        plans.record_analysis(s, org_id=org.id, analysis=_analysis(fid, "first draft"))
    return fid


def test_database_refuses_update_and_delete_of_revisions(database: Database) -> None:
    fid = _seed(database)
    for statement in (
        update(PlanRevision).where(PlanRevision.finding_id == fid).values(plan={"summary": "rewritten"}),
        delete(PlanRevision).where(PlanRevision.finding_id == fid),
        update(AuditEvent).values(action="forged"),
        delete(AuditEvent),
    ):
        with pytest.raises(DBAPIError, match="append-only"), database.session() as s:
            s.execute(statement)
    # Through the ORM as well: changing a loaded revision and flushing fails.
    with pytest.raises(DBAPIError, match="append-only"), database.session() as s:
        row = s.scalars(select(PlanRevision).where(PlanRevision.finding_id == fid)).one()
        row.plan = {"summary": "rewritten"}
    with database.session() as s:
        rows = s.scalars(select(PlanRevision).where(PlanRevision.finding_id == fid)).all()
        assert [(r.number, r.plan["summary"]) for r in rows] == [(1, "first draft")]


def test_redraft_appends_instead_of_rewriting(database: Database) -> None:
    fid = _seed(database)
    with database.session() as s:
        org_id = s.get(FindingRow, fid).org_id  # type: ignore[union-attr]
        plans.record_analysis(s, org_id=org_id, analysis=_analysis(fid, "second draft"))
    with database.session() as s:
        rows = plans.list_revisions(s, org_id=org_id, finding_id=fid)
        assert [(r.number, r.plan["summary"]) for r in rows] == [(1, "first draft"), (2, "second draft")]


def _writes_to_revisions(tree: ast.AST) -> list[str]:
    hits = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("update", "delete")
        ) and any(isinstance(a, ast.Name) and a.id == "PlanRevision" for a in node.args):
            hits.append(f"{node.func.id}(PlanRevision) at line {node.lineno}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            sql = " ".join(node.value.lower().split())
            if (
                "update plan_revisions" in sql or "delete from plan_revisions" in sql
            ) and "trigger" not in sql:
                hits.append(f"raw SQL at line {node.lineno}")
    return hits


def test_no_code_path_updates_or_deletes_revisions() -> None:
    offenders = []
    for package in ("analyzer", "api", "ingestion", "evals"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            offenders += [
                f"{path.relative_to(ROOT)}: {hit}"
                for hit in _writes_to_revisions(ast.parse(path.read_text()))
            ]
    assert offenders == []
    # The check itself can fail: it spots a planted update.
    planted = ast.parse("from x import update, PlanRevision\nupdate(PlanRevision).values(plan={})")
    assert _writes_to_revisions(planted) == ["update(PlanRevision) at line 2"]
    # And the plans module assigns to revision rows nowhere (it only constructs and adds them).
    source = (ROOT / "analyzer" / "storage" / "plans.py").read_text()
    assert "session.delete(" not in source and ".plan = " not in source
