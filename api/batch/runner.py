"""The work of a batch run, one item at a time, and the in-process executor that drives it.

`process_item` is the single code path for the work: the in-process thread pool and the Celery task
both call it. It claims the item first (a done or claimed item is skipped, so no LLM call is repeated),
does the work, and stores the result in the same transaction that marks the item final.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.errors import AuditlensError
from analyzer.models import DocumentKind, FindingAnalysis
from analyzer.settings import Settings
from analyzer.storage.db import Database
from api.batch import store as st
from api.batch.ratelimit import SharedLimits, UsageMeter
from api.batch.services import BatchServices, ProductServices, RunLimits, pricing_from
from api.batch.sources import AuditSpec, BatchSource, DocumentSpec

HEARTBEAT_S = 5.0


class ClaimLostError(AuditlensError):
    """Another worker took over the item while this one worked on it; nothing was stored."""


class PausedError(AuditlensError):
    """The cost ceiling refused the next LLM call; the run pauses and can be resumed."""


@dataclass(frozen=True)
class ItemOutcome:
    """What processing one item did."""

    key: str
    status: str  # done | failed | skipped | busy | paused
    new_keys: list[str] = field(default_factory=list)
    error: str | None = None
    result: dict[str, Any] | None = None


@dataclass
class RunContext:
    """What a worker needs to process items of one run."""

    settings: Settings
    store: st.RunStore
    services: BatchServices
    run_id: str
    org_id: str
    params: dict[str, Any]
    stale_after_s: float | None = None

    @property
    def audits(self) -> dict[str, AuditSpec]:
        """The run's audits by name."""
        return {name: AuditSpec.from_json(a) for name, a in self.params.get("audits", {}).items()}


def new_run_id() -> str:
    """A fresh run id."""
    return "run_" + uuid.uuid4().hex[:20]


def run_params(
    *,
    source: BatchSource,
    provider: str,
    concurrency: int,
    rpm: float | None,
    tpm: float | None,
    max_cost_usd: float | None,
    out_dir: Path | None,
    executor: str = "inprocess",
) -> dict[str, Any]:
    """The JSON params stored on the run row (everything a worker elsewhere needs)."""
    return {
        "source": source.origin,
        "provider": provider,
        "concurrency": concurrency,
        "rpm": rpm,
        "tpm": tpm,
        "max_cost_usd": max_cost_usd,
        "out": str(out_dir) if out_dir else None,
        "executor": executor,
        "audits": {name: a.to_json() for name, a in source.audits.items()},
    }


def create_run(
    *, store: st.RunStore, org_id: str, run_id: str, source: BatchSource, params: dict[str, Any]
) -> int:
    """Create the run with one item per document and per unusable input; returns the item count."""
    store.create_run(run_id=run_id, org_id=org_id, params=params)
    items: list[st.NewItem] = [
        st.NewItem(
            key=doc.key,
            result={"path": str(doc.path), "audit": doc.audit, "kind": doc.kind.value},
        )
        for doc in source.documents
    ]
    items += [
        st.NewItem(key=p.key, status=st.FAILED, error=str(p), result={"path": p.label, "audit": None})
        for p in source.problems
    ]
    return store.add_items(run_id, items)


def build_services(
    settings: Settings,
    database: Database,
    params: dict[str, Any],
    *,
    spent_before_usd: float = 0.0,
    meter: UsageMeter | None = None,
    shared: SharedLimits | None = None,
) -> ProductServices:
    """The real services for a run, with its provider, limits and cost ceiling."""
    limits = RunLimits(
        provider=params.get("provider", "offline"),
        rpm=params.get("rpm"),
        tpm=params.get("tpm"),
        max_cost_usd=params.get("max_cost_usd"),
        spent_before_usd=spent_before_usd,
        price_factor=float(params.get("price_factor", 1.0)),
    )
    return ProductServices(settings=settings, database=database, limits=limits, meter=meter, shared=shared)


# --- the work -------------------------------------------------------------------------------------
def process_item(ctx: RunContext, key: str) -> ItemOutcome:
    """Claim and process one item (document or finding) of the run; safe to call twice for one key."""
    claim = ctx.store.claim(ctx.run_id, key, stale_after_s=ctx.stale_after_s)
    if claim is None:
        # Final items are skipped for good; an item another worker holds is "busy" (retry later: that
        # worker may have died, and its claim expires after the lease).
        state = ctx.store.item_status(ctx.run_id, key)
        return ItemOutcome(key=key, status="busy" if state == st.RUNNING else "skipped")
    try:
        if key.startswith(st.DOC_PREFIX):
            return _process_document(ctx, claim)
        if key.startswith(st.FINDING_PREFIX):
            return _process_finding(ctx, claim)
        ctx.store.complete(claim, status=st.FAILED, result=claim.result, error=f"{key}: unknown item kind")
        return ItemOutcome(key=key, status="failed", error="unknown item kind")
    except PausedError:
        ctx.store.release(claim)
        return ItemOutcome(key=key, status="paused")
    except ClaimLostError:
        return ItemOutcome(key=key, status="skipped")
    except Exception as exc:
        # A bug or an unexpected failure in one item must not stop the run: record it with its reason.
        reason = f"{key}: unexpected {type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
        ctx.store.complete(claim, status=st.FAILED, result=claim.result, error=reason)
        return ItemOutcome(key=key, status="failed", error=reason)
    except BaseException:
        # Anything unexpected (including KeyboardInterrupt) gives the item back rather than losing it.
        ctx.store.release(claim)
        raise


def _process_document(ctx: RunContext, claim: st.Claim) -> ItemOutcome:
    spec = dict(claim.result or {})
    doc = DocumentSpec(path=Path(spec["path"]), audit=spec["audit"], kind=DocumentKind(spec["kind"]))
    audit = ctx.audits.get(doc.audit) or AuditSpec(name=doc.audit)
    try:
        audit_id = ctx.services.ensure_audit(org_id=ctx.org_id, audit=audit)
        outcome = ctx.services.ingest(org_id=ctx.org_id, audit_id=audit_id, path=doc.path, kind=doc.kind)
    except AuditlensError as exc:
        error = str(exc) if str(doc.path) in str(exc) else f"{doc.path}: {exc}"
        ctx.store.complete(claim, status=st.FAILED, result=spec, error=error)
        return ItemOutcome(key=claim.key, status="failed", error=error)
    result = {
        **spec,
        "audit_id": audit_id,
        "document_id": outcome.document_id,
        "pages": outcome.pages,
        "findings": len(outcome.finding_ids),
        **outcome.detail,
    }
    finding_items = [
        st.NewItem(
            key=st.FINDING_PREFIX + fid,
            result={"finding_id": fid, "audit": doc.audit, "audit_id": audit_id, "document": doc.path.name},
        )
        for fid in outcome.finding_ids
    ]
    # The document's findings become items in the same transaction that marks the document done, so a
    # crash in between leaves either both or neither.
    with ctx.store.database.session() as s:
        if not ctx.store.complete(claim, status=st.DONE, result=result, session=s):
            raise ClaimLostError(f"{claim.key}: claim lost")
        ctx.store.add_items(ctx.run_id, finding_items, session=s)
    return ItemOutcome(key=claim.key, status="done", new_keys=[i.key for i in finding_items], result=result)


def _finding_result(
    base: dict[str, Any], analysis: FindingAnalysis, finding: Any, cost: float
) -> dict[str, Any]:
    prov = analysis.provenance
    plan = analysis.action_plan
    return {
        **base,
        "control_ref": finding.control_ref,
        "title": finding.title,
        "text": (finding.text or "")[:500],
        "status": analysis.status,
        "error": analysis.error,
        "exception_type": analysis.exception_type.value if analysis.exception_type else None,
        "other_types": [t.value for t in analysis.other_types],
        "root_causes": [rc.category.value for rc in analysis.root_causes],
        "confidence": analysis.confidence,
        "severity": plan.severity.value if plan else None,
        "plan_summary": plan.summary if plan else None,
        "analyzer": prov.analyzer,
        "model": prov.model,
        "llm_calls": prov.llm_calls,
        "tokens_in": prov.tokens.input,
        "tokens_out": prov.tokens.output,
        "tokens_cached": prov.tokens.cached,
        "cost_usd": cost,
    }


def _process_finding(ctx: RunContext, claim: st.Claim) -> ItemOutcome:
    base = dict(claim.result or {})
    finding_id = base["finding_id"]
    limiter = ctx.services.limiter
    if limiter is not None and limiter.ceiling_reached:
        raise PausedError("cost ceiling reached")
    try:
        finding = ctx.services.load_finding(org_id=ctx.org_id, finding_id=finding_id)
    except AuditlensError as exc:
        reason = f"finding {finding_id}: {exc}"
        ctx.store.complete(claim, status=st.FAILED, result=base, error=reason)
        return ItemOutcome(key=claim.key, status="failed", error=reason)
    analyzer = ctx.services.analyzer()
    limiter = ctx.services.limiter
    if limiter is not None:
        limiter.reset_thread()
    analysis = analyzer.analyze(finding)
    if limiter is not None and limiter.refused_in_this_thread():
        # The analyzer reports the refusal as a failed analysis; it is a pause, not a result.
        raise PausedError("cost ceiling reached")
    tokens = analysis.provenance.tokens
    cost = pricing_from(ctx.settings, float(ctx.params.get("price_factor", 1.0))).cost(
        tokens.input, tokens.output
    )
    result = _finding_result(base, analysis, finding, cost)
    status = st.DONE if analysis.status == "ok" else st.FAILED
    error: str | None = None if status == st.DONE else f"finding {finding_id}: {analysis.error}"
    with ctx.store.database.session() as s:
        result["analysis_id"] = ctx.services.store_analysis(
            s, org_id=ctx.org_id, finding=finding, analysis=analysis
        )
        if not ctx.store.complete(claim, status=status, result=result, error=error, session=s):
            raise ClaimLostError(f"{claim.key}: claim lost; the other worker's result stands")
    return ItemOutcome(
        key=claim.key, status="done" if status == st.DONE else "failed", error=error, result=result
    )


# --- the in-process executor ----------------------------------------------------------------------
ProgressFn = Callable[[ItemOutcome], None]


class InProcessExecutor:
    """Runs a run's pending items on N threads until none is left, or the cost ceiling pauses it."""

    def __init__(
        self,
        ctx: RunContext,
        *,
        concurrency: int,
        on_item: ProgressFn | None = None,
        prefixes: tuple[str, ...] = (st.DOC_PREFIX, st.FINDING_PREFIX),
    ) -> None:
        self.ctx = ctx
        self.prefixes = prefixes
        self.concurrency = max(1, concurrency)
        self.on_item = on_item
        self.paused = False
        self._stop = threading.Event()

    def stop(self) -> None:
        """Ask the executor to stop taking new items (in-flight ones finish)."""
        self._stop.set()

    def run(self) -> str:
        """Process everything pending; returns the final run status (completed or paused)."""
        store, run_id = self.ctx.store, self.ctx.run_id
        queue: deque[str] = deque()
        seen: set[str] = set()
        in_flight: dict[Future[ItemOutcome], str] = {}
        last_beat = time.monotonic()

        def refill() -> None:
            # Documents first: their findings join the queue as they are extracted.
            for prefix in self.prefixes:
                for key in store.pending_keys(run_id, prefix):
                    if key not in seen:
                        seen.add(key)
                        queue.append(key)

        refill()
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="batch") as pool:
            while True:
                while (
                    queue and len(in_flight) < self.concurrency and not (self.paused or self._stop.is_set())
                ):
                    key = queue.popleft()
                    in_flight[pool.submit(process_item, self.ctx, key)] = key
                if not in_flight:
                    if self.paused or self._stop.is_set():
                        break
                    refill()
                    if not queue:
                        break
                    continue
                done, _ = wait(in_flight, timeout=HEARTBEAT_S, return_when=FIRST_COMPLETED)
                for fut in done:
                    in_flight.pop(fut)
                    outcome = fut.result()
                    if outcome.status == "paused":
                        self.paused = True
                    for key in outcome.new_keys:
                        if key not in seen and key.startswith(self.prefixes):
                            seen.add(key)
                            queue.append(key)
                    if self.on_item is not None:
                        self.on_item(outcome)
                if time.monotonic() - last_beat >= HEARTBEAT_S:
                    store.heartbeat(run_id)
                    last_beat = time.monotonic()
        if self.paused:
            return st.RUN_PAUSED
        counts = store.counts(run_id)
        findings_left = counts.pending if st.FINDING_PREFIX in self.prefixes else 0
        return st.RUN_COMPLETED if findings_left == 0 and counts.documents_pending == 0 else st.RUN_PAUSED
