"""Durable state of batch runs: one `jobs` row per run, one `job_items` row per document and per finding.

The unique key (job_id, item_key) makes "one result per (run, finding)" a database rule; claims are a
compare-and-set on the item's status so that two workers never process (or call an LLM for) the same item.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from analyzer.errors import AuditlensError, NotFoundError
from analyzer.models import utcnow
from analyzer.storage.db import Database
from analyzer.storage.tables import Job, JobItem

RUN_KIND = "batch"
DOC_PREFIX = "doc:"
FINDING_PREFIX = "finding:"
# Approved examples an OpenAI Batch request was built with, stored `done` so they are never work to do.
PIN_PREFIX = "pin:"

# Item states. `queued` and `running` are pending; `done` and `failed` are final.
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
FINAL = (DONE, FAILED)

# Run states.
RUN_RUNNING, RUN_PAUSED, RUN_COMPLETED, RUN_FAILED = "running", "paused", "completed", "failed"


class RunBusyError(AuditlensError):
    """Another live process is driving the run."""


@dataclass(frozen=True)
class NewItem:
    """An item to add to a run (ignored when the key already exists)."""

    key: str
    status: str = QUEUED
    error: str | None = None
    result: dict[str, Any] | None = None


@dataclass(frozen=True)
class Claim:
    """Proof that this worker owns an item until it completes or releases it."""

    run_id: str
    key: str
    token: str
    attempts: int
    result: dict[str, Any] | None


@dataclass(frozen=True)
class RunCounts:
    """Item counts of a run by kind and state."""

    documents: int
    documents_failed: int
    documents_pending: int
    findings: int
    succeeded: int
    failed: int
    pending: int

    @property
    def findings_done(self) -> int:
        """Findings with a final state."""
        return self.succeeded + self.failed


def process_identity() -> str:
    """host:pid of this process, used as the owner of a run."""
    return f"{socket.gethostname()}:{os.getpid()}"


def new_token() -> str:
    """A fresh claim token."""
    return uuid.uuid4().hex


class RunStore:
    """Every SQL statement of batch runs; sessions come from the product's Database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    # --- runs ------------------------------------------------------------------------------------
    def create_run(self, *, run_id: str, org_id: str, params: dict[str, Any]) -> None:
        """Insert the run row (status running, owned by this process)."""
        with self.database.session() as s:
            s.add(
                Job(
                    id=run_id,
                    org_id=org_id,
                    kind=RUN_KIND,
                    status=RUN_RUNNING,
                    params=params,
                    owner=process_identity(),
                )
            )

    def get_run(self, run_id: str, *, org_id: str | None = None) -> Job:
        """The run row; NotFoundError when absent, of another kind, or (when given) of another org."""
        with self.database.session() as s:
            job = s.get(Job, run_id)
            if job is None or job.kind != RUN_KIND or (org_id is not None and job.org_id != org_id):
                raise NotFoundError(f"batch run {run_id} not found")
            s.expunge(job)
            return job

    def set_status(self, run_id: str, status: str, *, error: str | None = None) -> None:
        """Set the run's status (and error) and refresh its counters from the items."""
        counts = self.counts(run_id)
        with self.database.session() as s:
            s.execute(
                update(Job)
                .where(Job.id == run_id)
                .values(
                    status=status,
                    error=error,
                    total=counts.findings,
                    done=counts.succeeded,
                    failed=counts.failed,
                    updated_at=utcnow(),
                )
            )

    def update_params(self, run_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Merge changes into the run's params (e.g. a raised cost ceiling on resume)."""
        with self.database.session() as s:
            job = s.get(Job, run_id)
            if job is None:
                raise NotFoundError(f"batch run {run_id} not found")
            params = {**(job.params or {}), **changes}
            job.params = params
            return params

    def take_ownership(self, run_id: str, *, stale_after_s: float, force: bool = False) -> None:
        """Make this process the run's driver; refuse when another live driver heartbeated recently."""
        me = process_identity()
        with self.database.session() as s:
            job = s.get(Job, run_id)
            if job is None:
                raise NotFoundError(f"batch run {run_id} not found")
            fresh = _aware(job.updated_at) > utcnow() - timedelta(seconds=stale_after_s)
            other_live = job.owner not in (None, me) and job.status == RUN_RUNNING and fresh
            if other_live and not force and _owner_alive(job.owner):
                raise RunBusyError(
                    f"batch run {run_id} is being driven by {job.owner} (last seen {job.updated_at}); "
                    "wait for it or stop it first"
                )
            job.owner = me
            job.status = RUN_RUNNING
            job.error = None
            job.updated_at = utcnow()

    def running_runs(self, *, origin: str, executor: str) -> list[Job]:
        """Runs still running that `origin` started on `executor` (inprocess or celery)."""
        with self.database.session() as s:
            rows = s.scalars(select(Job).where(Job.kind == RUN_KIND, Job.status == RUN_RUNNING)).all()
            for job in rows:
                s.expunge(job)
        return [
            job
            for job in rows
            if (job.params or {}).get("origin") == origin
            and (job.params or {}).get("executor", "inprocess") == executor
        ]

    def orphaned_runs(self, *, origin: str, lease_s: float) -> list[Job]:
        """Running in-process runs started by `origin` whose driver is gone (dead, or silent `lease_s`)."""
        cutoff = utcnow() - timedelta(seconds=lease_s)
        return [
            job
            for job in self.running_runs(origin=origin, executor="inprocess")
            if job.owner != process_identity()
            and (not _owner_alive(job.owner) or _aware(job.updated_at) < cutoff)
        ]

    def adopt(self, run_id: str, *, previous_owner: str | None) -> bool:
        """Make this process the driver if `previous_owner` still is; False when another got there first."""
        # A compare-and-set, so two servers restarting at once never both drive one run.
        owner_is = Job.owner.is_(None) if previous_owner is None else Job.owner == previous_owner
        with self.database.session() as s:
            res = s.execute(
                update(Job)
                .where(Job.id == run_id, Job.status == RUN_RUNNING, owner_is)
                .values(owner=process_identity(), error=None, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            return _rowcount(res) == 1

    def heartbeat(self, run_id: str) -> None:
        """Mark the run as alive (its updated_at is the heartbeat)."""
        with self.database.session() as s:
            s.execute(update(Job).where(Job.id == run_id).values(updated_at=utcnow()))

    # --- items -----------------------------------------------------------------------------------
    def add_items(self, run_id: str, items: Iterable[NewItem], *, session: Session | None = None) -> int:
        """Insert items, silently keeping any that already exist (same key); returns how many were new."""
        rows = [
            {
                "job_id": run_id,
                "item_key": it.key,
                "status": it.status,
                "error": it.error,
                "result": it.result,
                "attempts": 0,
                "updated_at": utcnow(),
            }
            for it in items
        ]
        if not rows:
            return 0
        with self._session(session) as s:
            dialect = s.get_bind().dialect.name
            inserter: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
            added = 0
            for start in range(0, len(rows), 500):
                stmt = inserter(JobItem).values(rows[start : start + 500])
                stmt = stmt.on_conflict_do_nothing(index_elements=["job_id", "item_key"])
                # RETURNING counts the rows really inserted (rowcount is -1 for batched inserts).
                added += len(s.execute(stmt.returning(JobItem.id)).all())
            return added

    def item_result(self, run_id: str, key: str) -> dict[str, Any] | None:
        """Stored result of one item (None when the run has no such item or it has no result)."""
        with self.database.session() as s:
            value = s.scalar(select(JobItem.result).where(JobItem.job_id == run_id, JobItem.item_key == key))
            return dict(value) if value is not None else None

    def item_status(self, run_id: str, key: str) -> str | None:
        """Current status of one item (None when the run has no such item)."""
        with self.database.session() as s:
            return s.scalar(select(JobItem.status).where(JobItem.job_id == run_id, JobItem.item_key == key))

    def claim(self, run_id: str, key: str, *, stale_after_s: float | None = None) -> Claim | None:
        """Take an item if it is queued (or its claim went stale); None when done, failed or owned."""
        token = new_token()
        now = utcnow()
        with self.database.session() as s:
            cond = JobItem.status == QUEUED
            if stale_after_s is not None:
                cond = cond | (
                    (JobItem.status == RUNNING)
                    & (JobItem.claimed_at < now - timedelta(seconds=stale_after_s))
                )
            res = s.execute(
                update(JobItem)
                .where(JobItem.job_id == run_id, JobItem.item_key == key, cond)
                .values(
                    status=RUNNING,
                    claim_token=token,
                    claimed_at=now,
                    attempts=JobItem.attempts + 1,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            if _rowcount(res) != 1:
                return None
            row = s.execute(
                select(JobItem.attempts, JobItem.result).where(
                    JobItem.job_id == run_id, JobItem.item_key == key
                )
            ).one()
            return Claim(run_id=run_id, key=key, token=token, attempts=row.attempts, result=row.result)

    def complete(
        self,
        claim: Claim,
        *,
        status: str,
        result: dict[str, Any] | None,
        error: str | None = None,
        session: Session | None = None,
    ) -> bool:
        """Record the final state of a claimed item; False (nothing written) when the claim was lost."""
        if status not in FINAL:
            raise ValueError(f"not a final status: {status}")
        with self._session(session) as s:
            res = s.execute(
                update(JobItem)
                .where(
                    JobItem.job_id == claim.run_id,
                    JobItem.item_key == claim.key,
                    JobItem.status == RUNNING,
                    JobItem.claim_token == claim.token,
                )
                .values(status=status, result=result, error=error, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            return _rowcount(res) == 1

    def release(self, claim: Claim) -> None:
        """Give a claimed item back to the queue (paused run, transient failure)."""
        with self.database.session() as s:
            s.execute(
                update(JobItem)
                .where(
                    JobItem.job_id == claim.run_id,
                    JobItem.item_key == claim.key,
                    JobItem.claim_token == claim.token,
                    JobItem.status == RUNNING,
                )
                .values(status=QUEUED, claim_token=None, claimed_at=None, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )

    def requeue_running(self, run_id: str) -> int:
        """Put every `running` item back in the queue (its worker is known to be gone); returns count."""
        with self.database.session() as s:
            res = s.execute(
                update(JobItem)
                .where(JobItem.job_id == run_id, JobItem.status == RUNNING)
                .values(status=QUEUED, claim_token=None, claimed_at=None, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            return _rowcount(res)

    def pending_keys(self, run_id: str, prefix: str, *, statuses: tuple[str, ...] = (QUEUED,)) -> list[str]:
        """Keys of items with the prefix in the given states, in insertion order."""
        with self.database.session() as s:
            rows = s.execute(
                select(JobItem.item_key)
                .where(
                    JobItem.job_id == run_id,
                    JobItem.item_key.startswith(prefix),
                    JobItem.status.in_(statuses),
                )
                .order_by(JobItem.id)
            ).scalars()
            return list(rows)

    def items(self, run_id: str, prefix: str = "") -> list[JobItem]:
        """Every item of a run with the key prefix, in insertion order (detached)."""
        with self.database.session() as s:
            rows = list(
                s.execute(
                    select(JobItem)
                    .where(JobItem.job_id == run_id, JobItem.item_key.startswith(prefix))
                    .order_by(JobItem.id)
                ).scalars()
            )
            for row in rows:
                s.expunge(row)
            return rows

    def counts(self, run_id: str) -> RunCounts:
        """Item counts by kind and state."""
        with self.database.session() as s:
            rows = s.execute(
                select(
                    func.substr(JobItem.item_key, 1, 4).label("kind"),
                    JobItem.status,
                    func.count(),
                )
                .where(JobItem.job_id == run_id)
                .group_by("kind", JobItem.status)
            ).all()
        tally: dict[tuple[str, str], int] = {(r[0], r[1]): r[2] for r in rows}

        def total(kind: str, *states: str) -> int:
            return sum(n for (k, st), n in tally.items() if k == kind and (not states or st in states))

        doc, fin = DOC_PREFIX[:4], FINDING_PREFIX[:4]
        return RunCounts(
            documents=total(doc),
            documents_failed=total(doc, FAILED),
            documents_pending=total(doc, QUEUED, RUNNING),
            findings=total(fin),
            succeeded=total(fin, DONE),
            failed=total(fin, FAILED),
            pending=total(fin, QUEUED, RUNNING),
        )

    def usage(self, run_id: str) -> dict[str, float]:
        """Sum of LLM calls, tokens and cost recorded in the run's finished finding items."""
        totals = {
            "llm_calls": 0.0,
            "tokens_in": 0.0,
            "tokens_out": 0.0,
            "tokens_cached": 0.0,
            "cost_usd": 0.0,
        }
        for item in self.items(run_id, FINDING_PREFIX):
            for key in totals:
                totals[key] += float((item.result or {}).get(key) or 0)
        return totals

    @contextmanager
    def _session(self, session: Session | None) -> Iterator[Session]:
        if session is not None:
            yield session
            return
        with self.database.session() as s:
            yield s


def _rowcount(result: Any) -> int:
    # DML results are CursorResults; the generic Result type does not declare rowcount.
    return int(getattr(result, "rowcount", 0) or 0)


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns; they were stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)


def _owner_alive(owner: str | None) -> bool:
    """True unless the owner is a process on this host that no longer exists."""
    if not owner or ":" not in owner:
        return True
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
