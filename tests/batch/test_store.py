"""One result per (run, finding), enforced by the database; claims are compare-and-set."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from analyzer.storage.db import Database
from analyzer.storage.tables import JobItem
from api.batch import store as st
from tests.batch.conftest import new_org


def _run(database: Database, keys: list[str]) -> tuple[st.RunStore, str]:
    store = st.RunStore(database)
    run_id = "run_" + new_org(database)[-12:]
    store.create_run(run_id=run_id, org_id=new_org(database), params={"audits": {}})
    store.add_items(run_id, [st.NewItem(key=k) for k in keys])
    return store, run_id


def test_database_refuses_a_second_row_for_the_same_run_and_finding(any_db: Database) -> None:
    store, run_id = _run(any_db, ["finding:f1"])
    with pytest.raises(IntegrityError), any_db.session() as s:
        s.execute(insert(JobItem).values(job_id=run_id, item_key="finding:f1", status="done", attempts=0))
    # The store's insert keeps the existing row (and its state) instead of adding one.
    assert store.add_items(run_id, [st.NewItem(key="finding:f1", status=st.FAILED)]) == 0
    with any_db.session() as s:
        rows = s.execute(select(JobItem.status).where(JobItem.job_id == run_id)).scalars().all()
    assert rows == [st.QUEUED]


def test_only_one_of_many_concurrent_claims_wins(any_db: Database) -> None:
    store, run_id = _run(any_db, ["finding:f1"])
    with ThreadPoolExecutor(max_workers=8) as pool:
        claims = list(pool.map(lambda _: store.claim(run_id, "finding:f1"), range(16)))
    winners = [c for c in claims if c is not None]
    assert len(winners) == 1
    assert store.item_status(run_id, "finding:f1") == st.RUNNING


def test_final_items_are_never_claimed_again_and_lost_claims_write_nothing(any_db: Database) -> None:
    store, run_id = _run(any_db, ["finding:a", "finding:b"])
    a = store.claim(run_id, "finding:a")
    assert a is not None
    assert store.complete(a, status=st.DONE, result={"exception_type": "control_gap"})
    assert store.claim(run_id, "finding:a") is None
    assert store.claim(run_id, "finding:a", stale_after_s=0) is None  # done is final, even when "stale"

    b1 = store.claim(run_id, "finding:b")
    assert b1 is not None
    # The first claim went stale (its worker died); a second worker takes the item over.
    b2 = store.claim(run_id, "finding:b", stale_after_s=0)
    assert b2 is not None and b2.token != b1.token and b2.attempts == 2
    # The first worker wakes up: its write is refused, the second one's stands.
    assert not store.complete(b1, status=st.DONE, result={"who": "first"})
    assert store.complete(b2, status=st.FAILED, result={"who": "second"}, error="b: reason")
    items = {i.item_key: i for i in store.items(run_id)}
    assert items["finding:b"].result == {"who": "second"}
    assert items["finding:b"].error == "b: reason"
    counts = store.counts(run_id)
    assert (counts.findings, counts.succeeded, counts.failed, counts.pending) == (2, 1, 1, 0)


def test_requeue_and_ownership(sqlite_db: Database) -> None:
    store, run_id = _run(sqlite_db, ["doc:1", "finding:x"])
    assert store.claim(run_id, "doc:1") is not None
    assert store.requeue_running(run_id) == 1
    assert store.pending_keys(run_id, st.DOC_PREFIX) == ["doc:1"]
    # This process owns the run (it created it): taking it again is fine.
    store.take_ownership(run_id, stale_after_s=60)
    # Foreign runs look missing.
    with pytest.raises(st.NotFoundError):
        store.get_run(run_id, org_id="someone-else")
