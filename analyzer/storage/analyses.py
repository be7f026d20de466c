"""Stored analyses of findings (org-scoped): append a new one per run, read the latest."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from analyzer.models import FindingAnalysis, utcnow
from analyzer.storage.tables import AnalysisRow


def add_analysis(session: Session, *, org_id: str, analysis: FindingAnalysis) -> AnalysisRow:
    """Store one analysis of a finding of the organization."""
    row = AnalysisRow(
        org_id=org_id,
        finding_id=analysis.finding_id,
        status=analysis.status,
        analyzer=analysis.provenance.analyzer,
        data=analysis.model_dump(mode="json"),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def latest_analysis_row(session: Session, *, org_id: str, finding_id: str) -> AnalysisRow | None:
    """The newest analysis row of a finding within the organization, if any."""
    return session.scalar(
        select(AnalysisRow)
        .where(AnalysisRow.org_id == org_id, AnalysisRow.finding_id == finding_id)
        .order_by(AnalysisRow.id.desc())
        .limit(1)
    )


def latest_analysis(session: Session, *, org_id: str, finding_id: str) -> FindingAnalysis | None:
    """The newest analysis of a finding within the organization, as the domain model."""
    row = latest_analysis_row(session, org_id=org_id, finding_id=finding_id)
    return FindingAnalysis.model_validate(row.data) if row is not None else None


def latest_analyses(session: Session, *, org_id: str, finding_ids: list[str]) -> dict[str, FindingAnalysis]:
    """Newest analysis per finding for many findings of one organization (one query)."""
    if not finding_ids:
        return {}
    rows = session.scalars(
        select(AnalysisRow)
        .where(AnalysisRow.org_id == org_id, AnalysisRow.finding_id.in_(finding_ids))
        .order_by(AnalysisRow.id)
    )
    latest: dict[str, FindingAnalysis] = {}
    for row in rows:  # ascending ids: later rows replace earlier ones
        latest[row.finding_id] = FindingAnalysis.model_validate(row.data)
    return latest
