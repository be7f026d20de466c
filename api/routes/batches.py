"""Batch runs over the API: `POST /v1/batches` starts one, `GET /v1/batches/{batch_id}` follows it.

The source is a folder or manifest CSV under `<data_dir>/batch-sources/` on the server (the API never
reads paths outside it). The run is driven by the same executor as `auditlens batch`, in a background
thread of the API process (or by Celery workers with `executor: "celery"`). When the API starts, it takes
over the in-process runs an earlier API process left running (that process is gone, or silent for the claim
lease) and finishes them without redoing finished items; `auditlens batch --resume RUN_ID --org ORG` does
the same by hand.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from analyzer.errors import InvalidInputError, NotFoundError
from api.batch import store as st
from api.batch.runner import InProcessExecutor, RunContext, build_services, create_run, new_run_id, run_params
from api.batch.sources import SourceError, read_source
from api.batch.summary import write_outputs
from api.container import Container
from api.deps import AuditWriter, ContainerDep, Reader

log = logging.getLogger("auditlens.batches")
router = APIRouter(prefix="/v1", tags=["batches"])
ORIGIN = "api"  # marks runs this API started, so only those are taken over after a restart
SOURCES_DIR = "batch-sources"
RUNS_DIR = "batch-runs"


class BatchRequest(BaseModel):
    """What to run."""

    source: str = Field(description="Folder or manifest CSV, relative to <data_dir>/batch-sources/.")
    provider: Literal["offline", "openai"] = Field(default="offline", description="Analyzer to use.")
    concurrency: int = Field(default=4, ge=1, le=64, description="Worker threads.")
    rpm: float | None = Field(default=None, gt=0, description="LLM requests per minute.")
    tpm: float | None = Field(default=None, gt=0, description="LLM tokens per minute (prompt + max_tokens).")
    max_cost_usd: float | None = Field(default=None, ge=0, description="Pause before spending more.")
    executor: Literal["inprocess", "celery"] = Field(default="inprocess", description="Who does the work.")


def _source_path(container: Container, relative: str) -> Path:
    root = (container.settings.data_dir / SOURCES_DIR).resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or relative.startswith("/"):
        raise InvalidInputError(f"source {relative!r} must be inside the server's {SOURCES_DIR}/ folder")
    if not path.exists():
        raise InvalidInputError(f"source {relative!r} does not exist in {SOURCES_DIR}/")
    return path


def _drive(container: Container, ctx: RunContext, out_dir: Path, concurrency: int) -> None:
    """Run the executor to the end (or a pause) and write the outputs; errors end up on the run row."""
    status, error = st.RUN_FAILED, None
    try:
        if ctx.params.get("executor") == "celery":
            from api.batch.celery_app import enqueue_pending

            enqueue_pending(container.settings, ctx.store, ctx.run_id)
            return  # workers drive it; GET shows progress from the items
        status = InProcessExecutor(ctx, concurrency=concurrency).run()
        limiter = ctx.services.limiter
        if status == st.RUN_PAUSED:
            error = "cost ceiling reached" if limiter is not None and limiter.ceiling_reached else "stopped"
    except Exception as exc:  # the thread has no caller: keep the reason on the run
        error = f"{type(exc).__name__}: {exc}"
    # Outputs first: a client that sees the final status finds the files in place.
    write_outputs(ctx.store, ctx.run_id, out_dir, status=status)
    ctx.store.set_status(ctx.run_id, status, error=error)


@router.post("/batches", status_code=202)
def start_batch(body: BatchRequest, container: ContainerDep, principal: AuditWriter) -> JSONResponse:
    """Start a batch run over a server-side folder or manifest; answers 202 with its id."""
    path = _source_path(container, body.source)
    try:
        source = read_source(path)
    except SourceError as exc:
        raise InvalidInputError(str(exc).replace(str(path), body.source)) from None
    run_id = new_run_id()
    out_dir = container.settings.data_dir / RUNS_DIR / run_id
    params = run_params(
        source=source,
        provider=body.provider,
        concurrency=body.concurrency,
        rpm=body.rpm,
        tpm=body.tpm,
        max_cost_usd=body.max_cost_usd,
        out_dir=out_dir,
        executor=body.executor,
    )
    params["source"] = body.source  # the caller's spelling, not the server path
    params["origin"] = ORIGIN
    store = st.RunStore(container.database)
    create_run(store=store, org_id=principal.org_id, run_id=run_id, source=source, params=params)
    _launch(container, store, run_id=run_id, org_id=principal.org_id, params=params)
    return JSONResponse(status_code=202, content={"id": run_id, "status": st.RUN_RUNNING})


def _launch(
    container: Container, store: st.RunStore, *, run_id: str, org_id: str, params: dict[str, Any]
) -> threading.Thread:
    """Drive the run in a background thread of this process."""
    ctx = RunContext(
        settings=container.settings,
        store=store,
        # A resumed run must not spend again what it spent before the restart.
        services=build_services(
            container.settings, container.database, params, spent_before_usd=store.usage(run_id)["cost_usd"]
        ),
        run_id=run_id,
        org_id=org_id,
        params=params,
    )
    out_dir = Path(params.get("out") or container.settings.data_dir / RUNS_DIR / run_id)
    thread = threading.Thread(
        target=_drive,
        args=(container, ctx, out_dir, int(params.get("concurrency") or 4)),
        name=f"batch-{run_id}",
        daemon=True,
    )
    thread.start()
    return thread


def resume_interrupted_runs(container: Container) -> list[threading.Thread]:
    """Restart the in-process runs an earlier API process left unfinished; re-send its Celery runs' items."""
    store = st.RunStore(container.database)
    threads = []
    for run in store.orphaned_runs(origin=ORIGIN, lease_s=container.settings.batch_claim_lease_s):
        if not store.adopt(run.id, previous_owner=run.owner):
            continue  # another API process took it over first
        # This process owns the run now and its old driver is gone: the claims it left are void.
        requeued = store.requeue_running(run.id)
        log.info("resuming batch run %s (%d item(s) in flight were requeued)", run.id, requeued)
        threads.append(_launch(container, store, run_id=run.id, org_id=run.org_id, params=dict(run.params)))
    for run in store.running_runs(origin=ORIGIN, executor="celery"):
        # Workers drive these, but a broker that restarted (Redis may keep nothing on disk) lost their
        # messages; sending every unfinished item again is harmless, as the item claims make tasks idempotent.
        try:
            from api.batch.celery_app import enqueue_pending

            sent = enqueue_pending(container.settings, store, run.id)
        except Exception as exc:  # the API must start even when the broker is down
            log.warning("batch run %s: could not re-send its items to the broker (%s)", run.id, exc)
        else:
            log.info("batch run %s: re-sent %d unfinished item(s) to the Celery workers", run.id, sent)
    return threads


@router.get("/batches/{batch_id}")
def get_batch(batch_id: str, container: ContainerDep, principal: Reader) -> dict[str, Any]:
    """Progress and totals of a batch run of the caller's organization (404 for any other)."""
    store = st.RunStore(container.database)
    try:
        run = store.get_run(batch_id, org_id=principal.org_id)
    except NotFoundError:
        raise NotFoundError(f"batch {batch_id} not found") from None
    counts = store.counts(batch_id)
    usage = store.usage(batch_id)
    errors = [
        {"item": (i.result or {}).get("path") or i.item_key, "error": i.error or ""}
        for i in store.items(batch_id)
        if i.status == st.FAILED
    ][:100]
    status = run.status
    if (
        status == st.RUN_RUNNING
        and run.params.get("executor") == "celery"
        and counts.pending == 0
        and counts.documents_pending == 0
    ):
        status = st.RUN_COMPLETED
        if run.params.get("origin") == ORIGIN:
            # No driver process waits for a Celery run started here, so the first look after its last item
            # writes the outputs on this server and closes the run (a second look only rewrites the same).
            out_dir = Path(run.params.get("out") or container.settings.data_dir / RUNS_DIR / run.id)
            write_outputs(store, run.id, out_dir, status=status)
            store.set_status(run.id, status)
    return {
        "id": run.id,
        "status": status,
        "error": run.error,
        "provider": run.params.get("provider"),
        "source": run.params.get("source"),
        "audits": len(run.params.get("audits", {})),
        "documents": counts.documents,
        "documents_failed": counts.documents_failed,
        "findings": counts.findings,
        "succeeded": counts.succeeded,
        "failed": counts.failed,
        "pending": counts.pending + counts.documents_pending,
        "llm_calls": int(usage["llm_calls"]),
        "cost_usd": round(usage["cost_usd"], 6),
        "errors": errors,
        "created_at": run.created_at.isoformat(),
        "updated_at": run.updated_at.isoformat(),
    }
