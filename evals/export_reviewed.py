"""Reviewer feedback becomes eval data: approved plans of an organization -> fixture cases.

Each approved plan (approved, in progress, completed or verified) gives one case: the finding as
stored, the type and causes of the analysis whose plan the reviewer approved (the reviewer confirmed
them by approving), and the approved plan text as `plan_reference`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from analyzer.errors import NotFoundError
from analyzer.models import ActionPlan, Finding, FindingAnalysis
from analyzer.storage import catalog
from analyzer.storage import plans as plan_store
from analyzer.storage.analyses import latest_analysis
from analyzer.storage.db import Database
from analyzer.storage.tables import AnalysisRow, FindingRow, Organization, Plan
from evals.cases import EvalCase, FixtureError, write_cases

APPROVED_STATUSES = (plan_store.APPROVED, plan_store.IN_PROGRESS, plan_store.COMPLETED, plan_store.VERIFIED)


@dataclass(frozen=True)
class ReviewedFinding:
    """An approved plan with its finding and the analysis it was approved from."""

    finding: Finding
    analysis: FindingAnalysis
    plan: ActionPlan
    approved_at: datetime | None


def plan_reference_text(plan: ActionPlan) -> str:
    """The approved plan as numbered actions (one line per step), the shape plan coverage splits on."""
    return "\n".join(
        f"{i}. {step.title.rstrip('.')}. {step.description}" for i, step in enumerate(plan.steps, start=1)
    )


def _approved_analysis(session: Session, plan: Plan) -> FindingAnalysis | None:
    """The analysis behind the approved text: newest analyzer revision at or before the current one."""
    revisions = plan_store.list_revisions(session, org_id=plan.org_id, finding_id=plan.finding_id)
    for rev in sorted(revisions, key=lambda r: r.number, reverse=True):
        if rev.number <= plan.current_revision and rev.analysis_id is not None:
            row = session.scalar(
                select(AnalysisRow).where(
                    AnalysisRow.id == rev.analysis_id, AnalysisRow.org_id == plan.org_id
                )
            )
            if row is not None:
                return FindingAnalysis.model_validate(row.data)
    return latest_analysis(session, org_id=plan.org_id, finding_id=plan.finding_id)


def reviewed_findings(
    session: Session, *, org_id: str, since: datetime | None = None
) -> tuple[list[ReviewedFinding], int]:
    """Approved findings of one organization (oldest approval first) and how many had no usable analysis."""
    query = select(Plan).where(Plan.org_id == org_id, Plan.status.in_(APPROVED_STATUSES))
    if since is not None:
        query = query.where(Plan.approved_at >= since)
    out: list[ReviewedFinding] = []
    skipped = 0
    for plan in session.scalars(query.order_by(Plan.approved_at, Plan.finding_id)):
        row = session.scalar(
            select(FindingRow).where(FindingRow.id == plan.finding_id, FindingRow.org_id == org_id)
        )
        analysis = _approved_analysis(session, plan)
        if row is None or analysis is None or analysis.exception_type is None:
            skipped += 1
            continue
        content = plan_store.current_content(session, plan)
        out.append(
            ReviewedFinding(
                finding=Finding.model_validate(row.data),
                analysis=analysis,
                plan=ActionPlan.model_validate(content),
                approved_at=plan.approved_at,
            )
        )
    return out, skipped


def to_case(item: ReviewedFinding) -> EvalCase:
    """One reviewed finding as a fixture case."""
    f, a = item.finding, item.analysis
    assert a.exception_type is not None  # filtered in reviewed_findings
    causes = list(dict.fromkeys(rc.category.value for rc in a.root_causes))
    return EvalCase.model_validate(
        {
            "id": f.id,
            "finding": {
                "text": f.text,
                "title": f.title,
                "control_ref": f.control_ref,
                "context": f.context,
                "management_response": f.management_response,
            },
            "expected": {
                "exception_type": a.exception_type.value,
                "acceptable_types": [a.exception_type.value],
                "root_causes": causes,
                "acceptable_root_causes": causes,
                "plan_reference": plan_reference_text(item.plan),
            },
            "tags": ["reviewed", f"audit:{f.audit_id}", f"analyzer:{a.provenance.analyzer}"],
        }
    )


def resolve_org_id(database: Database, org: str) -> str:
    """The id of an organization given by name (as the other commands take it) or by id."""
    with database.session() as session:
        found = catalog.find_organization(session, name=org) or session.get(Organization, org.strip())
        if found is None:
            raise NotFoundError(f"organization {org!r} not found (give its name or id)")
        return found.id


def export_reviewed(database: Database, *, org_id: str, since: datetime | None, out: Path) -> tuple[int, int]:
    """Write the organization's approved findings as a fixture file (atomically): (written, skipped)."""
    with database.session() as session:
        items, skipped = reviewed_findings(session, org_id=org_id, since=since)
        cases = [to_case(item) for item in items]
    if not cases:
        after = f" approved on or after {since.date().isoformat()}" if since else ""
        raise FixtureError(f"organization {org_id!r} has no approved plans{after}; nothing written to {out}")
    return write_cases(out, cases), skipped
