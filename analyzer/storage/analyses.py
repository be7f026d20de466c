"""Stored analyses of findings (org-scoped): append a new one per run, read the latest."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
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


def _latest_ids(org_id: str, finding_ids: list[str]) -> Any:
    return (
        select(func.max(AnalysisRow.id))
        .where(AnalysisRow.org_id == org_id, AnalysisRow.finding_id.in_(finding_ids))
        .group_by(AnalysisRow.finding_id)
    )


def latest_analyses(session: Session, *, org_id: str, finding_ids: list[str]) -> dict[str, FindingAnalysis]:
    """Newest analysis per finding for many findings of one organization (one query)."""
    if not finding_ids:
        return {}
    rows = session.scalars(select(AnalysisRow).where(AnalysisRow.id.in_(_latest_ids(org_id, finding_ids))))
    return {row.finding_id: FindingAnalysis.model_validate(row.data) for row in rows}


def latest_headlines(session: Session, *, org_id: str, finding_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Status and exception type of the newest analysis per finding, without loading whole analyses."""
    if not finding_ids:
        return {}
    rows = session.execute(
        select(
            AnalysisRow.finding_id, AnalysisRow.status, AnalysisRow.data["exception_type"].as_string()
        ).where(AnalysisRow.id.in_(_latest_ids(org_id, finding_ids)))
    )
    return {fid: {"status": status, "exception_type": etype} for fid, status, etype in rows}
