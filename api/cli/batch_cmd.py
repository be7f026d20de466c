"""`auditlens batch SOURCE --org ORG ...` and `auditlens worker`: batch runs over many audits."""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from analyzer.errors import ConfigError
from analyzer.settings import Settings
from analyzer.storage import catalog
from analyzer.storage.db import Database
from api.batch import store as st
from api.batch.runner import (
    InProcessExecutor,
    ItemOutcome,
    RunContext,
    build_services,
    create_run,
    new_run_id,
    run_params,
)
from api.batch.sources import read_source
from api.batch.summary import write_json, write_outputs
from api.cli.common import console, err_console, expected_errors, load_settings

EXIT_PAUSED = 3


class _Reporter:
    """Progress for people (rich) or machines (JSON lines on stdout)."""

    def __init__(self, *, as_json: bool, counts: st.RunCounts) -> None:
        self.as_json = as_json
        self.tokens = 0
        self.doc_failed = counts.documents_failed
        self.fin_failed = counts.failed
        self.progress: Progress | None = None
        if not as_json:
            self.progress = Progress(
                TextColumn("[bold]{task.description:<18}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[extra]}"),
                TimeRemainingColumn(),
                console=err_console,
                transient=False,
            )
            done_docs = counts.documents - counts.documents_pending
            self.docs = self.progress.add_task(
                "documents parsed", total=counts.documents, completed=done_docs, extra=self._doc_extra()
            )
            self.fins = self.progress.add_task(
                "findings analyzed",
                total=counts.findings,
                completed=counts.findings_done,
                extra=self._fin_extra(),
            )

    def _doc_extra(self) -> str:
        return f"failed {self.doc_failed}"

    def _fin_extra(self) -> str:
        return f"failed {self.fin_failed} · tokens {self.tokens:,}"

    def __enter__(self) -> _Reporter:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def item(self, outcome: ItemOutcome) -> None:
        """Account for one processed item."""
        if outcome.status in ("skipped", "busy", "paused"):
            return
        result = outcome.result or {}
        self.tokens += int(result.get("tokens_in") or 0) + int(result.get("tokens_out") or 0)
        is_doc = outcome.key.startswith(st.DOC_PREFIX)
        if outcome.status == "failed":
            if is_doc:
                self.doc_failed += 1
            else:
                self.fin_failed += 1
        if self.progress is None:
            return
        if is_doc:
            self.progress.update(self.docs, advance=1, extra=self._doc_extra())
            if outcome.new_keys:
                total = self.progress.tasks[self.fins].total or 0
                self.progress.update(self.fins, total=total + len(outcome.new_keys))
        else:
            self.progress.update(self.fins, advance=1, extra=self._fin_extra())

    def sync(self, counts: st.RunCounts, tokens: int) -> None:
        """Set the bars from database counts (the Celery executor polls instead of seeing items)."""
        self.tokens, self.doc_failed, self.fin_failed = tokens, counts.documents_failed, counts.failed
        if self.progress is not None:
            self.progress.update(
                self.docs,
                total=counts.documents,
                completed=counts.documents - counts.documents_pending,
                extra=self._doc_extra(),
            )
            self.progress.update(
                self.fins, total=counts.findings, completed=counts.findings_done, extra=self._fin_extra()
            )


def _emit(as_json: bool, event: dict[str, Any], human: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(event, default=str) + "\n")
        sys.stdout.flush()
    else:
        console.print(human, highlight=False)


def _write_run_json(out_dir: Path, run_id: str, org: str, status: str, params: dict[str, Any]) -> None:
    write_json(
        out_dir / "run.json",
        {
            "run_id": run_id,
            "org": org,
            "status": status,
            "updated_at": datetime.now(UTC).isoformat(),
            "resume": f"auditlens batch --resume {run_id} --org {org}",
            "params": {k: v for k, v in params.items() if k != "audits"},
            "audits": sorted(params.get("audits", {})),
        },
    )


def _run_celery(ctx: RunContext, settings: Settings, reporter: _Reporter, *, poll_s: float = 1.0) -> str:
    """Hand the pending items to Celery workers and follow the run in the database until it ends."""
    from api.batch.celery_app import enqueue_pending

    store, run_id = ctx.store, ctx.run_id
    enqueue_pending(settings, store, run_id)
    last_change, last_done = time.monotonic(), -1
    while True:
        time.sleep(poll_s)
        counts = store.counts(run_id)
        usage = store.usage(run_id)
        reporter.sync(counts, int(usage["tokens_in"] + usage["tokens_out"]))
        run = store.get_run(run_id)
        if run.status == st.RUN_PAUSED:
            return st.RUN_PAUSED
        if counts.pending == 0 and counts.documents_pending == 0:
            return st.RUN_COMPLETED
        done = counts.findings_done + counts.documents - counts.documents_pending
        if done != last_done:
            last_done, last_change = done, time.monotonic()
        elif time.monotonic() - last_change > max(30.0, 10 * poll_s):
            # Nothing moved for a while: messages may have been lost with a dead worker. Re-sending is
            # harmless (claims make duplicates no-ops).
            enqueue_pending(settings, store, run_id)
            last_change = time.monotonic()


def _openai_batch_step(ctx: RunContext, out_dir: Path) -> tuple[str, str | None]:
    """Submit the run's findings as one Batch API job, or collect its answers when it has ended."""
    from api.batch import openai_batch

    store, run_id = ctx.store, ctx.run_id
    ids = ctx.params.get("openai_batch_ids")
    if not ids:
        if not store.pending_keys(run_id, st.FINDING_PREFIX):
            return st.RUN_COMPLETED, None
        input_path = out_dir / "openai-batch-input.jsonl"
        lines = openai_batch.build_input(ctx, input_path)
        ids = openai_batch.submit(ctx, input_path)
        ctx.params = store.update_params(run_id, {"openai_batch_ids": ids})
        return (
            st.RUN_PAUSED,
            f"submitted {lines} findings as OpenAI batch {ids['batch_id']}; resume later to collect",
        )
    state, counts = openai_batch.poll_and_ingest(ctx, ids["batch_id"], out_dir)
    if counts is None:
        return st.RUN_PAUSED, f"OpenAI batch {ids['batch_id']} is {state}; resume later to collect"
    if store.counts(run_id).pending:
        return (
            st.RUN_PAUSED,
            f"OpenAI batch {ids['batch_id']} ended ({state}) without answering every finding",
        )
    return st.RUN_COMPLETED, None


def run_batch(
    *,
    settings: Settings,
    source: Path | None,
    org: str,
    provider: str | None,
    concurrency: int | None,
    rpm: float | None,
    tpm: float | None,
    max_cost_usd: float | None,
    resume: str | None,
    out: Path | None,
    as_json: bool,
    executor: str | None,
    openai_batch: bool = False,
) -> int:
    """Start or resume a run, drive it to the end (or a pause), write the outputs; returns the exit code."""
    database = Database(settings.resolved_database_url)
    database.ensure_migrated()
    store = st.RunStore(database)
    with database.session() as s:
        org_id = catalog.get_or_create_organization(s, name=org).id
    if resume:
        run = store.get_run(resume, org_id=org_id)
        run_id = run.id
        changes: dict[str, Any] = {
            k: v
            for k, v in {
                "provider": provider,
                "concurrency": concurrency,
                "rpm": rpm,
                "tpm": tpm,
                "max_cost_usd": max_cost_usd,
                "executor": executor,
                "out": str(out) if out else None,
            }.items()
            if v is not None
        }
        params = store.update_params(run_id, changes) if changes else dict(run.params or {})
        out_dir = Path(params.get("out") or Path("out") / run_id)
        store.take_ownership(run_id, stale_after_s=3 * 5.0)
        if params.get("executor", "inprocess") == "inprocess":
            # We own the run now and no other process drives it: claims left by a killed driver are void.
            store.requeue_running(run_id)
        _write_run_json(out_dir, run_id, org, st.RUN_RUNNING, params)
        _emit(as_json, {"event": "resumed", "run_id": run_id, "out": str(out_dir)}, f"run {run_id} (resumed)")
    else:
        if source is None:
            raise ConfigError("give a SOURCE folder or manifest CSV, or --resume RUN_ID")
        batch_source = read_source(source)
        run_id = new_run_id()
        out_dir = out or Path("out") / run_id
        params = run_params(
            source=batch_source,
            provider=provider or "offline",
            concurrency=concurrency or 4,
            rpm=rpm,
            tpm=tpm,
            max_cost_usd=max_cost_usd,
            out_dir=out_dir,
            executor=executor or "inprocess",
        )
        if openai_batch:
            params.update(openai_batch=True, price_factor=0.5)
        # The run row, OUT/run.json and the printed id all exist before any work starts, so whatever
        # kills the process afterwards, `--resume RUN_ID` finds the run.
        create_run(store=store, org_id=org_id, run_id=run_id, source=batch_source, params=params)
        _write_run_json(out_dir, run_id, org, st.RUN_RUNNING, params)
        _emit(as_json, {"event": "started", "run_id": run_id, "out": str(out_dir)}, f"run {run_id}")

    if params.get("provider") == "openai" and not settings.llm_configured:
        # Fail before any item is touched, not once per finding.
        raise ConfigError(
            "provider openai needs an LLM endpoint: set AUDITLENS_LLM_MODEL and AUDITLENS_LLM_BASE_URL "
            f"(or OPENAI_API_KEY), then `auditlens batch --resume {run_id} --org {org}`"
        )
    spent = store.usage(run_id)["cost_usd"]
    services = build_services(settings, database, params, spent_before_usd=spent)
    ctx = RunContext(
        settings=settings,
        store=store,
        services=services,
        run_id=run_id,
        org_id=org_id,
        params=params,
        stale_after_s=None,
    )
    status = st.RUN_PAUSED
    error: str | None = None
    reporter = _Reporter(as_json=as_json, counts=store.counts(run_id))
    via_batch_api = bool(params.get("openai_batch"))
    runner = InProcessExecutor(
        ctx,
        concurrency=int(params.get("concurrency") or 4),
        on_item=reporter.item,
        # With the Batch API, findings go to OpenAI in one file instead of one call each.
        prefixes=(st.DOC_PREFIX,) if via_batch_api else (st.DOC_PREFIX, st.FINDING_PREFIX),
    )
    # SIGTERM stops taking new items (in-flight ones finish); handlers can only be set from the main thread.
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, lambda *_: runner.stop()) if in_main else None
    try:
        with reporter:
            if params.get("executor", "inprocess") == "celery":
                status = _run_celery(ctx, settings, reporter)
            else:
                status = runner.run()
            if via_batch_api and status == st.RUN_COMPLETED:
                status, error = _openai_batch_step(ctx, out_dir)
    except KeyboardInterrupt:
        runner.stop()
        status, error = st.RUN_PAUSED, "interrupted"
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
    limiter = services.limiter
    if status == st.RUN_PAUSED and error is None:
        error = "cost ceiling reached" if limiter is not None and limiter.ceiling_reached else "stopped"
    store.set_status(run_id, status, error=error)
    summary = write_outputs(store, run_id, out_dir, status=status)
    _write_run_json(out_dir, run_id, org, status, params)
    docs_ok = summary["documents"] - summary["documents_failed"]
    line = (
        f"documents: {summary['documents']} = {docs_ok} ingested + {summary['documents_failed']} failed; "
        f"findings: {summary['findings']} = {summary['succeeded']} succeeded + {summary['failed']} failed"
        + (f" + {summary['pending']} pending" if summary["pending"] else "")
        + f"; LLM calls {summary['llm_calls']}; cost ${summary['cost_usd']:.4f}"
    )
    if as_json:
        _emit(True, {"event": "finished", **summary, "out": str(out_dir)}, "")
    else:
        for e in summary["errors"][:20]:
            err_console.print(f"[yellow]failed:[/] {e['item']}: {e['error']}", highlight=False)
        console.print(line, highlight=False)
        console.print(f"outputs in {out_dir}", highlight=False)
        if status == st.RUN_PAUSED:
            hint = " --max-cost-usd HIGHER" if error == "cost ceiling reached" else ""
            resume_cmd = f"auditlens batch --resume {run_id} --org {org}{hint}"
            console.print(f"[bold yellow]paused ({error})[/]: resume with `{resume_cmd}`")
    return 0 if status == st.RUN_COMPLETED else EXIT_PAUSED


def register(app: typer.Typer) -> None:
    """Add the `batch` and `worker` commands."""

    @app.command("batch")
    @expected_errors
    def batch(
        source: Path | None = typer.Argument(
            None, help="Folder (one sub-folder per audit, or files named with their period) or manifest CSV."
        ),
        org: str = typer.Option(..., "--org", help="Organization name (created on first use)."),
        provider: str | None = typer.Option(None, help="offline (default) or openai."),
        concurrency: int | None = typer.Option(None, min=1, help="Worker threads (default 4)."),
        rpm: float | None = typer.Option(None, min=1, help="Requests per minute allowed to the LLM."),
        tpm: float | None = typer.Option(None, min=1, help="Tokens per minute (prompt + max_tokens)."),
        max_cost_usd: float | None = typer.Option(None, min=0, help="Pause the run before spending more."),
        resume: str | None = typer.Option(None, help="Resume this run id (SOURCE is then not needed)."),
        out: Path | None = typer.Option(None, help="Output folder (default out/RUN_ID)."),
        as_json: bool = typer.Option(False, "--json", help="JSON lines on stdout: started, finished."),
        executor: str | None = typer.Option(None, help="inprocess (default) or celery (needs workers)."),
        openai_batch: bool = typer.Option(
            False, "--openai-batch", help="Send findings through the OpenAI Batch API (50% cheaper, ≤ 24 h)."
        ),
    ) -> None:
        """Ingest and analyse many audits, resumably, with rate limits, a cost ceiling and trend reports."""
        if provider not in (None, "offline", "openai"):
            raise ConfigError(f"unknown provider {provider!r}; use offline or openai")
        if executor not in (None, "inprocess", "celery"):
            raise ConfigError(f"unknown executor {executor!r}; use inprocess or celery")
        code = run_batch(
            settings=load_settings(),
            source=source,
            org=org,
            provider=provider,
            concurrency=concurrency,
            rpm=rpm,
            tpm=tpm,
            max_cost_usd=max_cost_usd,
            resume=resume,
            out=out,
            as_json=as_json,
            executor=executor,
            openai_batch=openai_batch,
        )
        raise typer.Exit(code)

    @app.command("worker")
    @expected_errors
    def worker(
        concurrency: int = typer.Option(2, min=1, help="Worker processes/threads."),
        queue: str | None = typer.Option(None, help="Queue name (default from settings)."),
        pool: str = typer.Option("threads", help="Celery pool: threads, prefork or solo."),
        loglevel: str = typer.Option("INFO", help="Celery log level."),
    ) -> None:
        """Start a Celery worker for batch runs (broker: AUDITLENS_CELERY_BROKER_URL)."""
        from api.batch.celery_app import start_worker

        start_worker(load_settings(), concurrency=concurrency, queue=queue, pool=pool, loglevel=loglevel)
