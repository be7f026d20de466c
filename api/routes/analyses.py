"""Analysis jobs (`POST /v1/audits/{id}/analyses`) and job status (`GET /v1/jobs/{id}`)."""

from __future__ import annotations

import threading
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from analyzer.errors import AuditlensError, InvalidInputError
from analyzer.ports import Analyzer
from analyzer.service import analyze_findings, build_llm_analyzer, resolve_provider
from analyzer.storage import catalog
from analyzer.storage import jobs as job_store
from analyzer.storage.events import record_event
from analyzer.storage.plans import record_analysis
from api.container import Container
from api.deps import AuditWriter, ContainerDep, Reader
from api.jobs import JobContext

router = APIRouter(prefix="/v1", tags=["analyses"])
ANALYSIS_KIND = "analysis"
Provider = Literal["offline", "openai"]
_build_lock = threading.Lock()


class AnalysisRequest(BaseModel):
    """Which findings to analyse and with which analyzer."""

    provider: Provider | None = Field(
        default=None, description="`offline` (no network) or `openai` (the configured LLM endpoint)."
    )
    finding_ids: list[str] | None = Field(default=None, description="Findings to analyse; all when absent.")
    propose_to_reviewed: bool = Field(
        default=False,
        description="For plans a reviewer already touched, append the new draft as a revision to accept "
        "(the reviewed text stays current). Untouched drafts are always refreshed.",
    )


class JobOut(BaseModel):
    """Progress of a background job."""

    id: str = Field(description="Job id.")
    kind: str = Field(description="ingest | analysis | batch.")
    status: str = Field(description="queued | running | completed | failed.")
    done: int = Field(description="Items finished successfully.")
    total: int = Field(description="Items in the job.")
    failed: int = Field(description="Items that failed.")
    errors: list[dict[str, str]] = Field(description="Failed items with one-line reasons.")


def analyzer_for(container: Container, provider: str) -> Analyzer:
    """The analyzer for a provider, built once per container (tests may put their own in overrides)."""
    key = f"analyzer:{provider}"
    with _build_lock:
        cached = container.overrides.get(key)
        if cached is not None:
            return cached  # type: ignore[return-value]
        resolved = resolve_provider(provider, container.settings)
        built: Analyzer
        if resolved == "openai":
            built = build_llm_analyzer(
                settings=container.settings,
                chat=container.chat_model,
                index=container.vector_index,
                approved=container.approved_examples,
            )
        else:
            from analyzer.offline import OfflineAnalyzer

            built = OfflineAnalyzer(
                container.embedder, index=container.vector_index, approved=container.approved_examples
            )
        container.overrides[key] = built
        return built


@router.post("/audits/{audit_id}/analyses", status_code=202)
def start_analysis(
    audit_id: str, body: AnalysisRequest, request: Request, principal: AuditWriter, container: ContainerDep
) -> JSONResponse:
    """Queue an analysis job over the audit's findings (or the listed ones)."""
    provider = resolve_provider(body.provider, container.settings)
    with container.database.session() as session:
        catalog.get_audit(session, org_id=principal.org_id, audit_id=audit_id)
        findings = catalog.list_findings(session, org_id=principal.org_id, audit_id=audit_id)
        known = [f.id for f in findings]
        if body.finding_ids is not None:
            missing = [fid for fid in body.finding_ids if fid not in set(known)]
            if missing:
                raise InvalidInputError(f"finding(s) not in this audit: {', '.join(missing[:5])}")
            wanted = list(dict.fromkeys(body.finding_ids))
        else:
            wanted = known
        if not wanted:
            raise InvalidInputError("this audit has no findings to analyse yet")
        job = job_store.create_job(
            session,
            org_id=principal.org_id,
            kind=ANALYSIS_KIND,
            params={
                "audit_id": audit_id,
                "provider": provider,
                "propose_to_reviewed": body.propose_to_reviewed,
                "actor_key_id": principal.key_id,
            },
            item_keys=wanted,
        )
        record_event(
            session,
            org_id=principal.org_id,
            actor_key_id=principal.key_id,
            action="analysis.requested",
            object_type="audit",
            object_id=audit_id,
            detail={"job_id": job.id, "provider": provider, "findings": len(wanted)},
        )
        job_id = job.id
    runner = getattr(request.app.state, "job_runner", None)
    if runner is not None:
        runner.notify()
    return JSONResponse({"job_id": job_id, "status": "queued", "total": len(wanted)}, status_code=202)


@router.get("/jobs/{job_id}")
def get_job(job_id: str, principal: Reader, container: ContainerDep) -> JobOut:
    """Progress of a job of the caller's organization."""
    with container.database.session() as session:
        job = job_store.get_job(session, org_id=principal.org_id, job_id=job_id)
        return JobOut(
            id=job.id,
            kind=job.kind,
            status=job.status,
            done=job.done,
            total=job.total,
            failed=job.failed,
            errors=job_store.job_errors(session, job_id=job.id),
        )


def analysis_item(container: Container, job: JobContext, finding_id: str) -> dict[str, Any]:
    """Job handler: analyse one finding and store the analysis and (when allowed) its plan draft."""
    with container.database.session() as session:
        finding = catalog.get_finding(session, org_id=job.org_id, finding_id=finding_id)
    analyzer = analyzer_for(container, str(job.params.get("provider", "offline")))
    # analyze_findings turns analyzer errors and incomplete answers into a failed analysis (stored too).
    analysis = analyze_findings([finding], analyzer=analyzer)[0]
    with container.database.session() as session:
        recorded = record_analysis(
            session,
            org_id=job.org_id,
            analysis=analysis,
            actor_key_id=job.params.get("actor_key_id"),
            add_revision_if_reviewed=bool(job.params.get("propose_to_reviewed")),
        )
        record_event(
            session,
            org_id=job.org_id,
            actor_key_id=job.params.get("actor_key_id"),
            action="analysis.stored",
            object_type="finding",
            object_id=finding.id,
            detail={"analysis_id": recorded.analysis_id, "status": analysis.status, "job_id": job.id},
        )
    if analysis.status != "ok":
        raise AuditlensError(f"finding {finding.id}: {analysis.error or 'analysis failed'}")
    return {
        "analysis_id": recorded.analysis_id,
        "plan_revision": recorded.plan_revision,
        "plan_is_current": recorded.plan_is_current,
    }
