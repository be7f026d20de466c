"""Findings of an audit: list, add as JSON, read one with its latest analysis, and search the audit's text."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from analyzer.errors import InvalidInputError
from analyzer.models import Finding, FindingAnalysis, FindingLayout, SampleFacts
from analyzer.storage import catalog
from analyzer.storage.analyses import latest_analyses, latest_analysis
from analyzer.storage.events import record_event
from analyzer.storage.plans import find_plan, plans_for
from api.deps import AuditWriter, ContainerDep, Reader

router = APIRouter(prefix="/v1", tags=["findings"])
MAX_FINDINGS_PER_POST = 1000


class FindingIn(BaseModel):
    """One finding given as JSON (the same fields as a structured import row)."""

    model_config = ConfigDict(extra="forbid")

    control_ref: str | None = Field(default=None, max_length=40, description="Control reference, e.g. CC6.1.")
    control_description: str | None = Field(default=None, description="The control as described.")
    test_performed: str | None = Field(default=None, description="The auditor's test.")
    title: str | None = Field(default=None, max_length=500, description="Short title.")
    text: str = Field(min_length=1, max_length=20000, description="The exception text.")
    sample: SampleFacts | None = Field(default=None, description="Sample facts, when stated.")
    context: str | None = Field(default=None, description="Background.")
    criteria: str | None = Field(default=None, description="Criteria / requirement.")
    cause: str | None = Field(default=None, description="Cause as stated by the auditor.")
    effect: str | None = Field(default=None, description="Effect / risk.")
    recommendation: str | None = Field(default=None, description="Auditor's recommendation.")
    management_response: str | None = Field(default=None, description="Management's response.")
    section: str | None = Field(default=None, description="Section heading.")


class FindingsIn(BaseModel):
    """A list of findings to add to an audit."""

    findings: list[FindingIn] = Field(min_length=1, description="Findings to add.")


def _finding_id(audit_id: str, item: FindingIn) -> str:
    # Same audit + same control + same text → same id, so re-posting a list adds nothing twice.
    key = "\x1f".join([audit_id, item.control_ref or "", " ".join(item.text.split())])
    return "fnd_" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def finding_summary(
    finding: Finding, analysis: FindingAnalysis | None, plan_status: str | None
) -> dict[str, Any]:
    """A finding with the headline of its latest analysis and its plan status."""
    out = finding.model_dump(mode="json")
    out["exception_type"] = analysis.exception_type if analysis else None
    out["analysis_status"] = analysis.status if analysis else None
    out["plan_status"] = plan_status
    return out


@router.get("/audits/{audit_id}/findings")
def list_findings(audit_id: str, principal: Reader, container: ContainerDep) -> list[dict[str, Any]]:
    """Findings of one audit of the caller's organization, in document order."""
    with container.database.session() as session:
        catalog.get_audit(session, org_id=principal.org_id, audit_id=audit_id)
        findings = catalog.list_findings(session, org_id=principal.org_id, audit_id=audit_id)
        ids = [f.id for f in findings]
        analyses = latest_analyses(session, org_id=principal.org_id, finding_ids=ids)
        plans = plans_for(session, org_id=principal.org_id, finding_ids=ids)
        return [
            finding_summary(f, analyses.get(f.id), plans[f.id][0].status if f.id in plans else None)
            for f in findings
        ]


@router.post("/audits/{audit_id}/findings", status_code=201)
def add_findings(
    audit_id: str, body: FindingsIn | list[FindingIn], principal: AuditWriter, container: ContainerDep
) -> dict[str, Any]:
    """Add findings given as JSON (a list, or `{"findings": [...]}`); identical ones are not duplicated."""
    items = body.findings if isinstance(body, FindingsIn) else body
    if not items:
        raise InvalidInputError("no findings given")
    if len(items) > MAX_FINDINGS_PER_POST:
        raise InvalidInputError(f"at most {MAX_FINDINGS_PER_POST} findings per request")
    with container.database.session() as session:
        catalog.get_audit(session, org_id=principal.org_id, audit_id=audit_id)
        existing = {f.id for f in catalog.list_findings(session, org_id=principal.org_id, audit_id=audit_id)}
        findings = [
            Finding(
                id=_finding_id(audit_id, item),
                org_id=principal.org_id,
                audit_id=audit_id,
                layout=FindingLayout.IMPORT,
                ordinal=n,
                **item.model_dump(),
            )
            for n, item in enumerate(items)
        ]
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
        return {
            "added": len(new),
            "existing": len(unique) - len(new),
            "ids": [f.id for f in findings],
        }


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
