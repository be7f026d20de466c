"""Findings of an audit: list, add as JSON, read one with its latest analysis, and search the audit's text."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, Body, Query

from analyzer.errors import InvalidInputError
from analyzer.models import Finding
from analyzer.storage import catalog
from analyzer.storage.analyses import latest_analysis, latest_headlines
from analyzer.storage.events import record_event
from analyzer.storage.plans import find_plan, plan_statuses
from api.deps import AuditWriter, ContainerDep, Reader
from ingestion.extract.structured_import import findings_from_inputs

router = APIRouter(prefix="/v1", tags=["findings"])
MAX_FINDINGS_PER_POST = 1000


def _finding_id(audit_id: str, finding: Finding, external_id: str | None) -> str:
    # Same audit + same source number (or same control and text) → same id: re-posting adds nothing twice.
    key = (
        f"ext:{external_id}"
        if external_id
        else f"{finding.control_ref or ''}|{' '.join(finding.text.split())}"
    )
    return "fnd_" + hashlib.sha256(f"{audit_id}\x1f{key}".encode()).hexdigest()[:24]


def _items(body: Any) -> list[Any]:
    if isinstance(body, dict) and isinstance(body.get("findings"), list) and set(body) == {"findings"}:
        return list(body["findings"])
    if isinstance(body, list):
        return body
    raise InvalidInputError('send a JSON list of findings or {"findings": [...]}')


def finding_summary(
    finding: Finding, headline: dict[str, Any] | None, plan_status: str | None
) -> dict[str, Any]:
    """A finding with the headline of its latest analysis and its plan status."""
    out = finding.model_dump(mode="json")
    out["exception_type"] = headline["exception_type"] if headline else None
    out["analysis_status"] = headline["status"] if headline else None
    out["plan_status"] = plan_status
    return out


@router.get("/audits/{audit_id}/findings")
def list_findings(audit_id: str, principal: Reader, container: ContainerDep) -> list[dict[str, Any]]:
    """Findings of one audit of the caller's organization, in document order."""
    with container.database.session() as session:
        catalog.get_audit(session, org_id=principal.org_id, audit_id=audit_id)
        findings = catalog.list_findings(session, org_id=principal.org_id, audit_id=audit_id)
        ids = [f.id for f in findings]
        headlines = latest_headlines(session, org_id=principal.org_id, finding_ids=ids)
        statuses = plan_statuses(session, org_id=principal.org_id, finding_ids=ids)
        return [finding_summary(f, headlines.get(f.id), statuses.get(f.id)) for f in findings]


@router.post("/audits/{audit_id}/findings", status_code=201)
def add_findings(
    audit_id: str,
    principal: AuditWriter,
    container: ContainerDep,
    body: Any = Body(description='Findings as a list, or {"findings": [...]} (structured-import fields).'),
) -> dict[str, Any]:
    """Add findings given as JSON; all-or-nothing, and identical ones are not duplicated."""
    items = _items(body)
    if not items:
        raise InvalidInputError("no findings given")
    if len(items) > MAX_FINDINGS_PER_POST:
        raise InvalidInputError(f"at most {MAX_FINDINGS_PER_POST} findings per request")
    with container.database.session() as session:
        catalog.get_audit(session, org_id=principal.org_id, audit_id=audit_id)
        parsed, errors = findings_from_inputs(
            list(enumerate(items, start=1)), org_id=principal.org_id, audit_id=audit_id, source="api"
        )
        if errors:
            shown = "; ".join(f"item {e.row}: {e.reason}" for e in errors[:5])
            more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
            raise InvalidInputError(f"{len(errors)} finding(s) rejected, nothing stored: {shown}{more}")
        externals = [item.get("external_id") if isinstance(item, dict) else None for item in items]
        findings = [
            f.model_copy(update={"id": _finding_id(audit_id, f, ext)})
            for f, ext in zip(parsed, externals, strict=True)
        ]
        existing = {f.id for f in catalog.list_findings(session, org_id=principal.org_id, audit_id=audit_id)}
        unique = list({f.id: f for f in findings}.values())
        new = [f for f in unique if f.id not in existing]
        if new:
            catalog.save_findings(
                session, org_id=principal.org_id, audit_id=audit_id, document_id=None, findings=new
            )
        record_event(
            session,
            org_id=principal.org_id,
            actor_key_id=principal.key_id,
            action="findings.added",
            object_type="audit",
            object_id=audit_id,
            detail={"added": [f.id for f in new]},
        )
        return {"added": len(new), "existing": len(unique) - len(new), "ids": [f.id for f in findings]}


@router.get("/findings/{finding_id}")
def get_finding(finding_id: str, principal: Reader, container: ContainerDep) -> dict[str, Any]:
    """A finding with its latest analysis (provenance and citations included) and plan status."""
    with container.database.session() as session:
        finding = catalog.get_finding(session, org_id=principal.org_id, finding_id=finding_id)
        analysis = latest_analysis(session, org_id=principal.org_id, finding_id=finding_id)
        plan = find_plan(session, org_id=principal.org_id, finding_id=finding_id)
        return {
            "finding": finding.model_dump(mode="json"),
            "analysis": analysis.model_dump(mode="json") if analysis else None,
            "plan_status": plan.status if plan else None,
        }


@router.get("/audits/{audit_id}/search")
def search_audit(
    audit_id: str,
    principal: Reader,
    container: ContainerDep,
    q: str = Query(min_length=1, max_length=2000, description="What to look for."),
    k: int = Query(default=5, ge=1, le=50, description="How many chunks to return."),
) -> list[dict[str, Any]]:
    """Nearest chunks of one audit's documents (retrieval the analyzer uses), caller's organization only."""
    with container.database.session() as session:
        catalog.get_audit(session, org_id=principal.org_id, audit_id=audit_id)
    hits = container.vector_index.search(org_id=principal.org_id, query=q, k=k, audit_id=audit_id)
    return [
        {"score": round(hit.score, 4), **hit.chunk.model_dump(mode="json", exclude={"org_id"})}
        for hit in hits
        if hit.chunk.org_id == principal.org_id  # belt and braces: the index already filters by org
    ]
