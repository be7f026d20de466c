"""The product parts a batch run drives: audits, ingestion, findings, analyzers and analysis storage.

`ProductServices` wires the real ones (catalog, ingestion pipeline, offline / LLM analyzers, plan
storage); the runner only sees the `BatchServices` port, so the executor code stays the same whether it
runs in threads or in Celery workers.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from analyzer.errors import ConfigError, IngestionError
from analyzer.models import DocumentKind, Finding
from analyzer.ports import Analyzer, ChatModel
from analyzer.settings import Settings
from analyzer.storage import catalog
from analyzer.storage.db import Database
from analyzer.storage.plans import record_analysis
from analyzer.storage.tables import Audit, FindingRow
from api.batch.ratelimit import Pricing, RateLimitedChatModel, SharedLimits, UsageMeter
from api.batch.sources import AuditSpec
from ingestion import pipeline

# Everything a worker thread needs is imported here, in the main thread: concurrent first imports of one
# module from several threads can see it half-initialised.


@dataclass(frozen=True)
class IngestOutcome:
    """What ingesting one file produced."""

    document_id: str | None
    finding_ids: list[str]
    pages: int = 0
    detail: dict[str, Any] = field(default_factory=dict)


class BatchServices(Protocol):
    """Everything the batch executor needs from the rest of the product."""

    def ensure_audit(self, *, org_id: str, audit: AuditSpec) -> str:
        """Id of the organization's audit with this name, created (with its period) when missing."""
        ...

    def ingest(self, *, org_id: str, audit_id: str, path: Path, kind: DocumentKind) -> IngestOutcome:
        """Parse, extract and index one file; raises analyzer.errors.IngestionError for bad input."""
        ...

    def load_finding(self, *, org_id: str, finding_id: str) -> Finding:
        """A finding of the organization; NotFoundError otherwise."""
        ...

    def analyzer(self) -> Analyzer:
        """The analyzer of this run (built once, shared by the worker threads)."""
        ...

    def store_analysis(self, session: Session, *, org_id: str, finding: Finding, analysis: Any) -> int | None:
        """Persist an analysis (and its plan draft) in the caller's transaction; returns its row id."""
        ...

    @property
    def limiter(self) -> RateLimitedChatModel | None:
        """The rate-limited chat model in use (None for the offline analyzer)."""
        ...


@dataclass(frozen=True)
class RunLimits:
    """Per-run knobs of the LLM path."""

    provider: str = "offline"
    rpm: float | None = None
    tpm: float | None = None
    max_cost_usd: float | None = None
    spent_before_usd: float = 0.0
    price_factor: float = 1.0  # 0.5 for the Batch API discount


def pricing_from(settings: Settings, factor: float = 1.0) -> Pricing:
    """Prices from settings, times a discount factor."""
    return Pricing(
        in_per_mtok=settings.llm_price_in_per_mtok * factor,
        out_per_mtok=settings.llm_price_out_per_mtok * factor,
    )


class ProductServices:
    """BatchServices over the real catalog, ingestion pipeline, analyzers and plan storage."""

    def __init__(
        self,
        *,
        settings: Settings,
        database: Database,
        limits: RunLimits,
        chat: ChatModel | None = None,
        meter: UsageMeter | None = None,
        shared: SharedLimits | None = None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.limits = limits
        self._chat_override = chat
        self._meter = meter
        self._lock = threading.Lock()
        self._ingest_lock = threading.Lock()
        self._analyzer: Analyzer | None = None
        self._limiter: RateLimitedChatModel | None = None
        self._vector_index: Any = None
        self._embedder: Any = None
        self._approved: Any = None
        self._shared = shared

    # --- shared parts, built lazily (a Celery worker builds them once per process) -----------------
    def _embedder_unlocked(self) -> Any:
        if self._embedder is None:
            from analyzer.adapters.embeddings import build_embedder

            self._embedder = build_embedder(self.settings)
        return self._embedder

    def _index_unlocked(self) -> Any:
        if self._vector_index is None:
            self._vector_index = pipeline.build_index(self.settings, self._embedder_unlocked())
        return self._vector_index

    def _approved_unlocked(self) -> Any:
        # Plans reviewers approved in earlier audits steer this run's drafts, as in `auditlens analyze`.
        if self._approved is None:
            from analyzer.storage.approved_examples import SqlApprovedExamples

            self._approved = SqlApprovedExamples(self.database, self._embedder_unlocked())
        return self._approved

    def _index(self) -> Any:
        with self._lock:
            return self._index_unlocked()

    def approved_examples(self) -> Any:
        """The organization-scoped source of reviewer-approved earlier findings (built once)."""
        with self._lock:
            return self._approved_unlocked()

    @property
    def limiter(self) -> RateLimitedChatModel | None:
        """The rate-limited chat model (None until the LLM analyzer is built, and for offline)."""
        return self._limiter

    def ensure_audit(self, *, org_id: str, audit: AuditSpec) -> str:
        """Get or create the audit by (org, name); a new audit gets the source's period and auditee."""
        with self.database.session() as s:
            row = catalog.find_audit(s, org_id=org_id, name=audit.name)
            if row is None:
                row = catalog.create_audit(s, org_id=org_id, name=audit.name, auditee=audit.auditee)
            stored = s.get(Audit, row.id)
            if stored is not None and stored.period_start is None and stored.period_end is None:
                # Periods are what trends are drawn over; an audit made earlier without one gets it now.
                stored.period_start, stored.period_end = audit.period_start, audit.period_end
            return str(row.id)

    def ingest(self, *, org_id: str, audit_id: str, path: Path, kind: DocumentKind) -> IngestOutcome:
        """Run the ingestion pipeline on one file; its findings are read back from the catalog."""
        index = self._index()
        # Parsing and embedding are CPU-bound (and parse in a subprocess): one document at a time per
        # process; the thread pool's concurrency pays off on the LLM calls.
        with self._ingest_lock:
            row = pipeline.ingest_document(
                path,
                filename=path.name,
                org_id=org_id,
                audit_id=audit_id,
                kind=kind,
                settings=self.settings,
                database=self.database,
                index=index,
            )
        if row.status == "failed":
            raise IngestionError(str(path), row.error or "ingestion failed")
        with self.database.session() as s:
            ids = list(
                s.scalars(
                    select(FindingRow.id)
                    .where(FindingRow.org_id == org_id, FindingRow.document_id == row.document_id)
                    .order_by(FindingRow.ordinal, FindingRow.id)
                )
            )
        return IngestOutcome(
            document_id=row.document_id,
            finding_ids=ids,
            pages=row.pages,
            detail={"reconciliation": row.reconciliation, "ingest_status": row.status, "chunks": row.chunks},
        )

    def load_finding(self, *, org_id: str, finding_id: str) -> Finding:
        """Fetch the finding through the catalog (org-checked)."""
        with self.database.session() as s:
            return catalog.get_finding(s, org_id=org_id, finding_id=finding_id)

    def analyzer(self) -> Analyzer:
        """Build the run's analyzer once: offline, or the LLM analyzer behind the rate limiter."""
        with self._lock:
            if self._analyzer is None:
                self._analyzer = self._build_analyzer()
            return self._analyzer

    def _build_analyzer(self) -> Analyzer:
        if self.limits.provider == "offline":
            from analyzer.offline import OfflineAnalyzer

            return OfflineAnalyzer(
                self._embedder_unlocked(), index=self._index_unlocked(), approved=self._approved_unlocked()
            )
        if self.limits.provider != "openai":
            raise ConfigError(f"unknown provider {self.limits.provider!r}; use offline or openai")
        inner = self._chat_override
        if inner is None:
            if not self.settings.llm_configured:
                raise ConfigError(
                    "provider openai needs an LLM endpoint: set AUDITLENS_LLM_MODEL and "
                    "AUDITLENS_LLM_BASE_URL (or OPENAI_API_KEY)"
                )
            from analyzer.adapters.langchain_chat import LangChainChatModel

            # Retries belong to the rate limiter (it shares the 429 signal across threads).
            inner = LangChainChatModel.from_settings(self.settings.model_copy(update={"llm_max_retries": 0}))
        self._limiter = RateLimitedChatModel(
            inner,
            rpm=self.limits.rpm,
            tpm=self.limits.tpm,
            pricing=pricing_from(self.settings, self.limits.price_factor),
            max_cost_usd=self.limits.max_cost_usd,
            spent_before_usd=self.limits.spent_before_usd,
            max_retries=max(3, self.settings.llm_max_retries),
            meter=self._meter,
            shared=self._shared,
        )
        from analyzer.llm_analyzer import LLMAnalyzer
        from analyzer.retrieval import Retriever

        return LLMAnalyzer(
            chat=self._limiter,
            retriever=Retriever(index=self._index_unlocked(), approved=self._approved_unlocked()),
            model_name=self.settings.llm_model or "unknown",
            max_tokens=self.settings.llm_max_tokens,
        )

    def store_analysis(self, session: Session, *, org_id: str, finding: Finding, analysis: Any) -> int | None:
        """Store through plans.record_analysis (analysis row + plan draft revision) in this transaction."""
        recorded = record_analysis(session, org_id=org_id, analysis=analysis)
        return int(recorded.analysis_id)
