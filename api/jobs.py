"""Background jobs in the API process: a pool of worker threads draining the durable `jobs` table.

Job and item state live in the database (analyzer/storage/jobs.py), so a restart loses nothing: on
start, jobs a crash left `running` go back to the queue and only their unfinished items run again.
A handler processes one item of a job and returns a small JSON result; an AuditlensError fails that
item with its one-line message, any other exception fails it as an internal error (logged).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from analyzer.errors import AuditlensError
from analyzer.storage import jobs as store
from api.container import Container

log = logging.getLogger("auditlens.jobs")


@dataclass(frozen=True)
class JobContext:
    """What a handler knows about the job it works for."""

    id: str
    org_id: str
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


ItemHandler = Callable[[Container, JobContext, str], dict[str, Any] | None]


class JobRunner:
    """Worker threads that claim queued jobs of the kinds they have handlers for and run their items."""

    def __init__(
        self, container: Container, handlers: dict[str, ItemHandler], *, threads: int, poll_s: float = 1.0
    ) -> None:
        self.container = container
        self.handlers = dict(handlers)
        self.threads = threads
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []

    def start(self) -> list[str]:
        """Requeue jobs a crash left running, then start the worker threads; returns the requeued ids."""
        with self.container.database.session() as session:
            resumed = store.requeue_interrupted(session, kinds=self.handlers)
        if resumed:
            log.info("resuming %d interrupted job(s): %s", len(resumed), ", ".join(resumed))
        self._stop.clear()
        for n in range(self.threads):
            worker = threading.Thread(target=self._loop, name=f"auditlens-job-{n}", daemon=True)
            worker.start()
            self._workers.append(worker)
        return resumed

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the workers to finish their current item and exit."""
        self._stop.set()
        self._wake.set()
        for worker in self._workers:
            worker.join(timeout)
        self._workers.clear()

    def notify(self) -> None:
        """Wake idle workers (a job was just queued)."""
        self._wake.set()

    def run_pending(self) -> int:
        """Run queued jobs in the calling thread until none is left; returns how many ran (CLI, tests)."""
        count = 0
        while self._run_one():
            count += 1
        return count

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                ran = self._run_one()
            except Exception:  # a database hiccup must not kill the worker
                log.exception("job worker error")
                ran = False
            if not ran:
                self._wake.wait(self.poll_s)
                self._wake.clear()

    def _run_one(self) -> bool:
        with self.container.database.session() as session:
            job = store.claim_job(session, kinds=self.handlers)
            if job is None:
                return False
            context = JobContext(id=job.id, org_id=job.org_id, kind=job.kind, params=dict(job.params or {}))
            keys = store.pending_item_keys(session, job_id=job.id)
        handler = self.handlers[context.kind]
        for key in keys:
            if self._stop.is_set():
                return True  # left running; the next start requeues it and skips finished items
            self._run_item(handler, context, key)
        with self.container.database.session() as session:
            store.refresh_counts(session, job_id=context.id)
        return True

    def _run_item(self, handler: ItemHandler, context: JobContext, key: str) -> None:
        with self.container.database.session() as session:
            token = store.claim_item(session, job_id=context.id, item_key=key)
        if token is None:
            return  # finished or taken by another worker
        ok, result, error = True, None, None
        try:
            result = handler(self.container, context, key)
        except AuditlensError as exc:
            ok, error = False, str(exc) or type(exc).__name__
        except Exception as exc:
            log.exception("job %s item %s failed", context.id, key)
            ok, error = False, f"internal error ({type(exc).__name__}); see the server log"
        with self.container.database.session() as session:
            store.finish_item(
                session, job_id=context.id, item_key=key, token=token, ok=ok, result=result, error=error
            )
            store.refresh_counts(session, job_id=context.id)
