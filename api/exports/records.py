"""What every export is made of: one record per finding with its latest analysis and current plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from analyzer.models import ActionPlan, Finding, FindingAnalysis
from analyzer.storage import catalog
from analyzer.storage.analyses import latest_analyses
from analyzer.storage.plans import plans_for
from analyzer.storage.tables import Audit


def as_utc(value: datetime | None) -> datetime | None:
    """A stored timestamp as an aware UTC datetime (SQLite hands back naive ones)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass
class PlanState:
    """A plan's status, text and sign-off."""

    status: str
    revision: int
    plan: ActionPlan | None
    last_editor: str | None
    approved_by: str | None
    approved_at: datetime | None


@dataclass
class ExportRecord:
    """One finding with everything exports show about it."""

    finding: Finding
    analysis: FindingAnalysis | None
    plan: PlanState | None

    def due_dates(self) -> list[date | None]:
        """Due date of each plan step (approval date + the step's days); None until approved."""
        if self.plan is None or self.plan.plan is None:
            return []
        base = self.plan.approved_at
        return [
            (base + timedelta(days=step.due_in_days)).date() if base else None
            for step in self.plan.plan.steps
        ]


@dataclass
class AuditExport:
    """An audit and its records, in document order."""

    audit: Audit
    records: list[ExportRecord]
    generated_at: datetime


def collect(session: Session, *, org_id: str, audit_id: str, now: datetime) -> AuditExport:
    """Gather the audit's findings, latest analyses and current plans (one organization only)."""
    audit = catalog.get_audit(session, org_id=org_id, audit_id=audit_id)
    findings = catalog.list_findings(session, org_id=org_id, audit_id=audit_id)
    ids = [f.id for f in findings]
    analyses = latest_analyses(session, org_id=org_id, finding_ids=ids)
    plans = plans_for(session, org_id=org_id, finding_ids=ids)
    records = []
    for finding in findings:
        state = None
        if finding.id in plans:
            row, text = plans[finding.id]
            state = PlanState(
                status=row.status,
                revision=row.current_revision,
                plan=_plan(text),
                last_editor=row.last_editor_key_id,
                approved_by=row.approved_by_key_id,
                approved_at=as_utc(row.approved_at),
            )
        records.append(ExportRecord(finding=finding, analysis=analyses.get(finding.id), plan=state))
    return AuditExport(audit=audit, records=records, generated_at=now)


def _plan(text: dict[str, Any]) -> ActionPlan | None:
    try:
        return ActionPlan.model_validate(text)
    except ValueError:
        return None


def flat_row(record: ExportRecord) -> dict[str, Any]:
    """The one-row-per-finding view used by CSV and XLSX."""
    f, a, p = record.finding, record.analysis, record.plan
    plan = p.plan if p else None
    steps = plan.steps if plan else []
    dues = record.due_dates()
    return {
        "finding_id": f.id,
        "control": f.control_ref or "",
        "title": f.title or "",
        "finding": f.text,
        "exception_type": (a.exception_type or "") if a else "",
        "root_causes": "; ".join(c.category for c in a.root_causes) if a else "",
        "severity": plan.severity if plan else "",
        "plan_summary": plan.summary if plan else "",
        "plan_steps": "\n".join(f"{n}. {s.title}: {s.description}" for n, s in enumerate(steps, 1)),
        "owner_roles": "; ".join(dict.fromkeys(s.owner_role for s in steps)),
        "due_dates": "; ".join(
            d.isoformat() if d else f"+{s.due_in_days}d after approval"
            for s, d in zip(steps, dues, strict=False)
        ),
        "status": p.status if p else "not analysed",
        "reviewer": (p.last_editor or "") if p else "",
        "approved_by": (p.approved_by or "") if p else "",
        "approved_at": p.approved_at.isoformat() if p and p.approved_at else "",
        "analyzer": a.provenance.analyzer if a else "",
    }
