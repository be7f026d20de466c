"""Durable background jobs (org-scoped): a `jobs` row per job, a `job_items` row per unit of work.

(job_id, item_key) is unique, so an item is stored once however often a job is resumed; an item is
claimed by a compare-and-set on its status, so two workers never process the same one; finished items
(`done`/`failed`) are never run again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from analyzer.errors import NotFoundError
from analyzer.models import utcnow
from analyzer.storage.tables import Job, JobItem

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
JOB_COMPLETED, JOB_FAILED = "completed", "failed"
FINAL_ITEM = (DONE, FAILED)


def create_job(
    session: Session, *, org_id: str, kind: str, params: dict[str, Any], item_keys: Sequence[str]
) -> Job:
    """Create a queued job with one queued item per key (duplicate keys are stored once)."""
    keys = list(dict.fromkeys(item_keys))
    now = utcnow()
    job = Job(
        id="job_" + uuid.uuid4().hex[:20],
        org_id=org_id,
        kind=kind,
        status=QUEUED,
        params=params,
        total=len(keys),
        done=0,
        failed=0,
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    session.flush()
    session.add_all(JobItem(job_id=job.id, item_key=key, status=QUEUED, updated_at=now) for key in keys)
    session.flush()
    return job


def get_job(session: Session, *, org_id: str, job_id: str) -> Job:
    """A job of the organization; NotFoundError otherwise (foreign ids look missing)."""
    job = session.scalar(select(Job).where(Job.id == job_id, Job.org_id == org_id))
    if job is None:
        raise NotFoundError(f"job {job_id} not found")
    return job


def job_errors(session: Session, *, job_id: str, limit: int = 100) -> list[dict[str, str]]:
    """Failed items of a job with their one-line reasons."""
    rows = session.scalars(
        select(JobItem)
        .where(JobItem.job_id == job_id, JobItem.status == FAILED)
        .order_by(JobItem.id)
        .limit(limit)
    )
    return [{"item": row.item_key, "error": row.error or "failed"} for row in rows]


def claim_job(session: Session, *, kinds: Iterable[str]) -> Job | None:
    """Take the oldest queued job of the given kinds (compare-and-set queued → running)."""
    candidates = session.scalars(
        select(Job.id)
        .where(Job.status == QUEUED, Job.kind.in_(list(kinds)))
        .order_by(Job.created_at)
        .limit(5)
    ).all()
    for job_id in candidates:
        taken = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == QUEUED)
            .values(status=RUNNING, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return session.get(Job, job_id, populate_existing=True)
    return None


def pending_item_keys(session: Session, *, job_id: str) -> list[str]:
    """Keys of the items still to run (queued or left running by a crash), in creation order."""
    return list(
        session.scalars(
            select(JobItem.item_key)
            .where(JobItem.job_id == job_id, JobItem.status.in_([QUEUED, RUNNING]))
            .order_by(JobItem.id)
        )
    )


def claim_item(session: Session, *, job_id: str, item_key: str) -> str | None:
    """Claim one queued item for this worker; returns the claim token, or None if someone else has it."""
    token = uuid.uuid4().hex
    taken = session.execute(
        update(JobItem)
        .where(JobItem.job_id == job_id, JobItem.item_key == item_key, JobItem.status == QUEUED)
        .values(
            status=RUNNING,
            claim_token=token,
            claimed_at=utcnow(),
            attempts=JobItem.attempts + 1,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    return token if taken.rowcount == 1 else None  # type: ignore[attr-defined]


def finish_item(
    session: Session,
    *,
    job_id: str,
    item_key: str,
    token: str,
    ok: bool,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> bool:
    """Record an item's outcome, only if this worker still holds its claim; True when recorded."""
    done = session.execute(
        update(JobItem)
        .where(JobItem.job_id == job_id, JobItem.item_key == item_key, JobItem.claim_token == token)
        .where(JobItem.status == RUNNING)
        .values(status=DONE if ok else FAILED, result=result, error=error, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1  # type: ignore[attr-defined]


def refresh_counts(session: Session, *, job_id: str) -> Job:
    """Recount done/failed items into the job row and close the job when nothing is pending."""
    counts = dict(
        session.execute(
            select(JobItem.status, func.count()).where(JobItem.job_id == job_id).group_by(JobItem.status)
        ).all()
    )
    job = session.get(Job, job_id, populate_existing=True)
    if job is None:
        raise NotFoundError(f"job {job_id} not found")
    job.done = int(counts.get(DONE, 0))
    job.failed = int(counts.get(FAILED, 0))
    job.total = int(sum(counts.values()))
    pending = int(counts.get(QUEUED, 0)) + int(counts.get(RUNNING, 0))
    if pending == 0 and job.status in (QUEUED, RUNNING):
        job.status = JOB_FAILED if job.total and job.failed == job.total else JOB_COMPLETED
    job.updated_at = utcnow()
    return job


def fail_job(session: Session, *, job_id: str, error: str) -> None:
    """Mark a whole job failed with a one-line reason (items left as they are)."""
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(status=JOB_FAILED, error=error, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def requeue_interrupted(session: Session, *, kinds: Iterable[str]) -> list[str]:
    """Put jobs (and their items) left `running` by a crash back in the queue; finished items stay done."""
    kinds = list(kinds)
    job_ids = list(session.scalars(select(Job.id).where(Job.status == RUNNING, Job.kind.in_(kinds))))
    if job_ids:
        session.execute(
            update(JobItem)
            .where(JobItem.job_id.in_(job_ids), JobItem.status == RUNNING)
            .values(status=QUEUED, claim_token=None, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(Job)
            .where(Job.id.in_(job_ids))
            .values(status=QUEUED, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return job_ids
