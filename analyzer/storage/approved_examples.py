"""ApprovedExamples over SQL: an organization's findings whose plans a reviewer approved, nearest first."""

from __future__ import annotations

import hashlib
import math

from sqlalchemy import select

from analyzer.models import ActionPlan, Finding, FindingAnalysis, Provenance
from analyzer.ports import ApprovedExample, Embedder
from analyzer.storage import plans as plan_store
from analyzer.storage.analyses import latest_analyses
from analyzer.storage.db import Database
from analyzer.storage.tables import FindingRow, Plan

# A plan counts as reviewer-approved from approval on, through to verification.
APPROVED_STATUSES = (plan_store.APPROVED, plan_store.IN_PROGRESS, plan_store.COMPLETED, plan_store.VERIFIED)


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def _text_of(finding: Finding) -> str:
    return "\n".join(p for p in (finding.control_ref, finding.title, finding.text) if p)


class SqlApprovedExamples:
    """Reads approved plans of one organization (never another's) and ranks them by embedding similarity."""

    def __init__(self, database: Database, embedder: Embedder, *, min_score: float = 0.0) -> None:
        self._database = database
        self._embedder = embedder
        self._min_score = min_score
        self._vectors: dict[str, list[float]] = {}  # text hash -> vector; approved texts rarely change

    def _embed_many(self, texts: list[str]) -> list[list[float]]:
        keys = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
        missing = [(k, t) for k, t in zip(keys, texts, strict=True) if k not in self._vectors]
        if missing:
            vectors = self._embedder.embed_documents([t for _, t in missing])
            self._vectors.update({k: v for (k, _), v in zip(missing, vectors, strict=True)})
        return [self._vectors[k] for k in keys]

    def similar(
        self, *, org_id: str, text: str, k: int, exclude_audit_id: str | None = None
    ) -> list[ApprovedExample]:
        """Approved findings of the organization outside `exclude_audit_id`, nearest to `text` first."""
        if k <= 0:
            return []
        with self._database.session() as session:
            query = (
                select(Plan, FindingRow)
                .join(FindingRow, FindingRow.id == Plan.finding_id)
                .where(Plan.org_id == org_id, FindingRow.org_id == org_id, Plan.status.in_(APPROVED_STATUSES))
            )
            if exclude_audit_id is not None:
                query = query.where(FindingRow.audit_id != exclude_audit_id)
            rows = list(session.execute(query).tuples())
            if not rows:
                return []
            analyses = latest_analyses(session, org_id=org_id, finding_ids=[f.id for _, f in rows])
            items: list[tuple[Finding, FindingAnalysis]] = []
            for plan, row in rows:
                finding = Finding.model_validate(row.data)
                approved_plan = ActionPlan.model_validate(plan_store.current_content(session, plan))
                base = analyses.get(finding.id) or FindingAnalysis(
                    finding_id=finding.id,
                    provenance=Provenance(analyzer="offline", analyzer_version="unknown"),
                )
                items.append((finding, base.model_copy(update={"action_plan": approved_plan})))
        query_vector = self._embedder.embed_query(text)
        vectors = self._embed_many([_text_of(f) for f, _ in items])
        scored = [
            ApprovedExample(finding=f, analysis=a, score=max(0.0, min(1.0, _cosine(query_vector, v))))
            for (f, a), v in zip(items, vectors, strict=True)
        ]
        scored = [e for e in scored if e.score >= self._min_score]
        scored.sort(key=lambda e: (-e.score, e.finding.id))
        return scored[:k]
