"""Celery executor of batch runs: the same `process_item` as the in-process pool, on many machines.

JSON serialization only (no pickle: a broker message must never run code), late acks plus
reject-on-worker-lost (a killed worker's message is delivered again), prefetch 1 (a slow item does not
hold others hostage). Tasks are idempotent: the item claim in the database decides who works, and a
final item is skipped, so a re-delivered or re-sent message never repeats an LLM call.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import Celery, Task

from analyzer.errors import ConfigError
from analyzer.privacy import apply_offline_defaults
from analyzer.settings import Settings
from analyzer.storage.db import Database
from api.batch import store as st
from api.batch.ratelimit import SharedLimits
from api.batch.runner import RunContext, build_services, process_item
from api.batch.shared_limits import RedisRunLimits

log = logging.getLogger("auditlens.batch")
TASK_NAME = "auditlens.batch.process_item"
# A busy item (claimed by a worker that may have died) is retried after this many seconds.
BUSY_RETRY_S = 5.0


def make_celery(settings: Settings) -> Celery:
    """The Celery app for these settings (broker from AUDITLENS_CELERY_BROKER_URL)."""
    if not settings.celery_broker_url:
        raise ConfigError("set AUDITLENS_CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) to use Celery")
    app = Celery("auditlens", broker=settings.celery_broker_url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        event_serializer="json",
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue=settings.celery_queue,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        # An unacked message comes back after this long if its worker vanished (Redis transport).
        broker_transport_options={"visibility_timeout": max(60, int(settings.batch_claim_lease_s * 2))},
    )
    _register_tasks(app, settings)
    return app


class _WorkerState:
    """Per-process state of a worker: one database and one context per run (built on first use)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._database: Database | None = None
        self._contexts: dict[str, RunContext] = {}

    def _shared_limits(self, store: st.RunStore, run_id: str) -> SharedLimits | None:
        # Every worker process of a run draws from one RPM/TPM budget and one cost ceiling kept next to
        # the broker. Another broker gets per-process limits, and says so.
        url = self.settings.celery_broker_url or ""
        if url.startswith(("redis://", "rediss://", "unix://")):
            return RedisRunLimits(url, run_id, spent_so_far=lambda: store.usage(run_id)["cost_usd"])
        log.warning("broker is not Redis: the limits and cost ceiling of run %s apply per process", run_id)
        return None

    def context(self, run_id: str) -> RunContext:
        with self._lock:
            if self._database is None:
                self._database = Database(self.settings.resolved_database_url)
            store = st.RunStore(self._database)
            ctx = self._contexts.get(run_id)
            run = store.get_run(run_id)
            if ctx is None or ctx.params != run.params:
                spent = store.usage(run_id)["cost_usd"]
                params = dict(run.params or {})
                ctx = RunContext(
                    settings=self.settings,
                    store=store,
                    services=build_services(
                        self.settings,
                        self._database,
                        params,
                        spent_before_usd=spent,
                        shared=self._shared_limits(store, run_id),
                    ),
                    run_id=run_id,
                    org_id=run.org_id,
                    params=params,
                    stale_after_s=float(params.get("lease_s") or self.settings.batch_claim_lease_s),
                )
                self._contexts[run_id] = ctx
            return ctx


def _register_tasks(app: Celery, settings: Settings) -> None:
    state = _WorkerState(settings)

    @app.task(name=TASK_NAME, bind=True, acks_late=True, max_retries=None)
    def process(self: Task, run_id: str, key: str) -> str:
        ctx = state.context(run_id)
        if ctx.store.get_run(run_id).status != st.RUN_RUNNING:
            return "run-not-running"  # paused or finished: the message is dropped, resume re-sends
        outcome = process_item(ctx, key)
        if outcome.status == "busy":
            raise self.retry(countdown=BUSY_RETRY_S)
        if outcome.status == "paused":
            ctx.store.set_status(run_id, st.RUN_PAUSED, error="cost ceiling reached")
        for new_key in outcome.new_keys:
            self.app.send_task(TASK_NAME, args=[run_id, new_key], queue=settings.celery_queue)
        return outcome.status

    app.conf.auditlens_process_task = process


def enqueue_pending(settings: Settings, store: st.RunStore, run_id: str, *, app: Celery | None = None) -> int:
    """Send one task per queued (or stale running) item of the run; duplicates are harmless."""
    app = app or make_celery(settings)
    keys = store.pending_keys(run_id, st.DOC_PREFIX, statuses=(st.QUEUED, st.RUNNING))
    keys += store.pending_keys(run_id, st.FINDING_PREFIX, statuses=(st.QUEUED, st.RUNNING))
    for key in keys:
        app.send_task(TASK_NAME, args=[run_id, key], queue=settings.celery_queue)
    return len(keys)


def start_worker(
    settings: Settings,
    *,
    concurrency: int = 2,
    queue: str | None = None,
    pool: str = "threads",
    loglevel: str = "INFO",
) -> None:
    """Run a worker in this process until it is stopped."""
    apply_offline_defaults()
    if not settings.chroma_url:
        from analyzer.adapters.chroma_index import hold_local_store

        if pool == "prefork" and concurrency > 1:
            raise ConfigError(
                f"--pool prefork with {concurrency} processes cannot share the embedded vector store; use "
                "--pool threads, or run a Chroma server and set AUDITLENS_CHROMA_URL"
            )

        # Claimed before any task runs: a second worker process on the same local store stops here with
        # a clear message instead of failing items later (several workers need a Chroma server).
        hold_local_store(settings.chroma_dir)
    app = make_celery(settings)
    argv: list[str] = [
        "worker",
        f"--concurrency={concurrency}",
        f"--queues={queue or settings.celery_queue}",
        f"--pool={pool}",
        f"--loglevel={loglevel}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    app.worker_main(argv)


def celery_config_summary(app: Celery) -> dict[str, Any]:
    """The settings that make tasks safe, for tests and `--help`-style diagnostics."""
    conf = app.conf
    return {
        "task_serializer": conf.task_serializer,
        "accept_content": list(conf.accept_content),
        "task_acks_late": conf.task_acks_late,
        "task_reject_on_worker_lost": conf.task_reject_on_worker_lost,
        "worker_prefetch_multiplier": conf.worker_prefetch_multiplier,
    }
