"""A batch run started over the API and cut off by a restart is taken over when the API starts again."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from analyzer.settings import Settings
from analyzer.storage import keys
from analyzer.storage.tables import AnalysisRow, Job
from api.app import create_app
from api.batch import store as st
from api.batch.runner import (
    InProcessExecutor,
    RunContext,
    build_services,
    create_run,
    new_run_id,
    run_params,
)
from api.batch.sources import read_source
from api.container import Container
from api.routes.batches import ORIGIN
from tests.batch.history import write_history

pytestmark = pytest.mark.slow


def _pid_of_a_finished_process() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture()
def sleeper() -> Iterator[int]:
    """A live process on this host, standing for another driver that is still at work."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield proc.pid
    proc.kill()
    proc.wait()


def _container(tmp_path: Path) -> Container:
    settings = Settings(data_dir=tmp_path / "data", worker_threads=0, _env_file=None)  # type: ignore[call-arg]
    container = Container(settings=settings)
    container.database.upgrade()
    return container


def _left_running(
    container: Container,
    source: Path,
    org_id: str,
    *,
    owner: str,
    origin: str | None,
    executor: str = "inprocess",
) -> str:
    """A run as an API process leaves it when killed: one document claimed, nothing finished."""
    store = st.RunStore(container.database)
    run_id = new_run_id()
    params = run_params(
        source=read_source(source),
        provider="offline",
        concurrency=2,
        rpm=None,
        tpm=None,
        max_cost_usd=None,
        out_dir=container.settings.data_dir / "batch-runs" / run_id,
        executor=executor,
    )
    if origin is not None:
        params["origin"] = origin
    create_run(store=store, org_id=org_id, run_id=run_id, source=read_source(source), params=params)
    first_doc = store.pending_keys(run_id, st.DOC_PREFIX)[0]
    assert store.claim(run_id, first_doc) is not None
    with container.database.session() as s:
        s.execute(update(Job).where(Job.id == run_id).values(owner=owner))
    return run_id


def test_api_start_finishes_a_run_whose_api_process_died(tmp_path: Path) -> None:
    container = _container(tmp_path)
    history = write_history(tmp_path)
    shutil.copytree(history, container.settings.data_dir / "batch-sources" / "acme-history")
    with container.database.session() as s:
        org = keys.ensure_org(s, "acme")
        org_id = org.id
        _, secret = keys.create_key(s, org_id=org_id, role="viewer")
    dead_owner = f"{socket.gethostname()}:{_pid_of_a_finished_process()}"
    run_id = _left_running(
        container,
        container.settings.data_dir / "batch-sources" / "acme-history",
        org_id,
        owner=dead_owner,
        origin=ORIGIN,
    )

    with TestClient(create_app(container)) as client:
        deadline = time.monotonic() + 120  # the run takes seconds; this only bounds a failing test
        while True:
            state = client.get(f"/v1/batches/{run_id}", headers={"Authorization": f"Bearer {secret}"}).json()
            if state["status"] != "running" or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert state["status"] == "completed", state
    assert (state["findings"], state["succeeded"], state["failed"], state["pending"]) == (9, 9, 0, 0)
    run = st.RunStore(container.database).get_run(run_id)
    assert run.owner != dead_owner
    with container.database.session() as s:
        assert s.scalar(select(func.count()).select_from(AnalysisRow)) == 9  # one analysis per finding
    assert (container.settings.data_dir / "batch-runs" / run_id / "summary.json").exists()


def test_runs_with_a_live_driver_or_started_elsewhere_are_left_alone(tmp_path: Path, sleeper: int) -> None:
    container = _container(tmp_path)
    source = write_history(tmp_path)
    with container.database.session() as s:
        org_id = keys.ensure_org(s, "acme").id
    host = socket.gethostname()
    live = _left_running(container, source, org_id, owner=f"{host}:{sleeper}", origin=ORIGIN)
    from_cli = _left_running(
        container, source, org_id, owner=f"{host}:{_pid_of_a_finished_process()}", origin=None
    )
    store = st.RunStore(container.database)
    assert store.orphaned_runs(origin=ORIGIN, lease_s=900) == []
    # A live driver that has been silent for longer than the lease counts as gone.
    assert [r.id for r in store.orphaned_runs(origin=ORIGIN, lease_s=0)] == [live]
    for run_id in (live, from_cli):
        assert store.get_run(run_id).status == st.RUN_RUNNING
        assert len(store.pending_keys(run_id, st.DOC_PREFIX, statuses=(st.RUNNING,))) == 1  # claim untouched


def test_only_one_process_takes_over_a_run(tmp_path: Path) -> None:
    container = _container(tmp_path)
    source = write_history(tmp_path)
    with container.database.session() as s:
        org_id = keys.ensure_org(s, "acme").id
    dead = f"{socket.gethostname()}:{_pid_of_a_finished_process()}"
    run_id = _left_running(container, source, org_id, owner=dead, origin=ORIGIN)
    store = st.RunStore(container.database)
    assert store.adopt(run_id, previous_owner=dead) is True
    assert store.adopt(run_id, previous_owner=dead) is False  # the owner is no longer the dead one
    assert store.orphaned_runs(origin=ORIGIN, lease_s=900) == []  # this process drives it now


@pytest.mark.redis
def test_api_start_resends_the_items_of_its_celery_runs(tmp_path: Path, redis_url: str) -> None:
    # Redis may keep nothing on disk: after a restart the messages of a Celery run are gone, and no
    # driver process exists for an API-started run. The API sends the unfinished items again.
    queue = f"auditlens-test-{uuid.uuid4().hex[:10]}"
    settings = Settings(
        data_dir=tmp_path / "data",
        worker_threads=0,
        celery_broker_url=redis_url,
        celery_queue=queue,
        _env_file=None,  # type: ignore[call-arg]
    )
    container = Container(settings=settings)
    container.database.upgrade()
    source = write_history(tmp_path)
    with container.database.session() as s:
        org_id = keys.ensure_org(s, "acme").id
    run_id = _left_running(container, source, org_id, owner="gone:1", origin=ORIGIN, executor="celery")
    unfinished = len(
        st.RunStore(container.database).pending_keys(run_id, st.DOC_PREFIX, statuses=(st.QUEUED, st.RUNNING))
    )
    client = redis.Redis.from_url(redis_url)
    try:
        with TestClient(create_app(container)):
            pass
        assert client.llen(queue) == unfinished > 0
    finally:
        client.delete(queue)
        client.close()


def test_a_finished_celery_run_started_here_gets_its_outputs_when_looked_at(tmp_path: Path) -> None:
    container = _container(tmp_path)
    source = write_history(tmp_path)
    with container.database.session() as s:
        org_id = keys.ensure_org(s, "acme").id
        _, secret = keys.create_key(s, org_id=org_id, role="viewer")
    run_id = _left_running(container, source, org_id, owner="gone:1", origin=ORIGIN, executor="celery")
    store = st.RunStore(container.database)
    store.requeue_running(run_id)
    # The workers' part, done here: every item processed, the run row still says running.
    ctx = RunContext(
        settings=container.settings,
        store=store,
        services=build_services(container.settings, container.database, dict(store.get_run(run_id).params)),
        run_id=run_id,
        org_id=org_id,
        params=dict(store.get_run(run_id).params),
    )
    InProcessExecutor(ctx, concurrency=2).run()
    assert store.get_run(run_id).status == st.RUN_RUNNING
    with TestClient(create_app(container, start_workers=False)) as client:
        state = client.get(f"/v1/batches/{run_id}", headers={"Authorization": f"Bearer {secret}"}).json()
    assert state["status"] == "completed" and state["pending"] == 0
    assert store.get_run(run_id).status == st.RUN_COMPLETED
    summary = container.settings.data_dir / "batch-runs" / run_id / "summary.json"
    assert json.loads(summary.read_text())["findings"] == state["findings"] == 9
