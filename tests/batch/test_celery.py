"""The same batch work on a real Celery worker (subprocess) with Redis as the broker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from analyzer.settings import Settings
from analyzer.storage import db
from analyzer.storage.tables import AnalysisRow, JobItem
from api.batch.celery_app import celery_config_summary, make_celery
from api.cli.batch_cmd import run_batch
from tests.batch.history import REPEAT_CONTROL, write_history

pytestmark = [pytest.mark.redis, pytest.mark.slow]
AUDITLENS = str(Path(sys.executable).parent / "auditlens")


@pytest.fixture()
def celery_env(tmp_path: Path, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITLENS_")}
    env.update(
        AUDITLENS_DATA_DIR=str(tmp_path / "data"),
        AUDITLENS_CELERY_BROKER_URL=redis_url,
        # A queue of our own: other test sessions share this Redis.
        AUDITLENS_CELERY_QUEUE=f"auditlens-test-{uuid.uuid4().hex[:10]}",
    )
    return env


def _spawn_worker(env: dict[str, str], cwd: Path, log_name: str) -> subprocess.Popen[bytes]:
    """`auditlens worker` in its own session, writing to cwd/log_name."""
    with (cwd / log_name).open("wb") as log:
        return subprocess.Popen(
            [AUDITLENS, "worker", "--concurrency", "2", "--loglevel", "INFO"],
            env=env,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _celery_batch(
    settings: Settings,
    source: Path,
    out: Path,
    *,
    provider: str = "offline",
    max_cost_usd: float | None = None,
) -> int:
    """`auditlens batch SOURCE --org acme --executor celery` in this process; returns its exit code."""
    return run_batch(
        settings=settings,
        source=source,
        org="acme",
        provider=provider,
        concurrency=None,
        rpm=None,
        tpm=None,
        max_cost_usd=max_cost_usd,
        resume=None,
        out=out,
        as_json=True,
        executor="celery",
    )


@pytest.fixture()
def worker(celery_env: dict[str, str], tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    proc = _spawn_worker(celery_env, tmp_path, "worker.log")
    yield proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def test_celery_app_is_json_only_with_late_acks(redis_url: str) -> None:
    app = make_celery(Settings(celery_broker_url=redis_url, _env_file=None))  # type: ignore[call-arg]
    assert celery_config_summary(app) == {
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
    }


def test_batch_on_a_real_worker(
    tmp_path: Path, celery_env: dict[str, str], worker: subprocess.Popen[bytes]
) -> None:
    source = write_history(tmp_path)
    settings = Settings(
        data_dir=Path(celery_env["AUDITLENS_DATA_DIR"]),
        celery_broker_url=celery_env["AUDITLENS_CELERY_BROKER_URL"],
        celery_queue=celery_env["AUDITLENS_CELERY_QUEUE"],
        _env_file=None,  # type: ignore[call-arg]
    )
    db.upgrade(settings.resolved_database_url)
    out = tmp_path / "out"
    code = _celery_batch(settings, source, out)
    assert code == 0, (tmp_path / "worker.log").read_text()[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["findings"], summary["succeeded"], summary["failed"]) == (9, 9, 0)
    assert any(
        r["control_ref"] == REPEAT_CONTROL and len(r["audits"]) == 3 for r in summary["repeat_findings"]
    )
    database = db.Database(settings.resolved_database_url)
    with database.session() as s:
        keys = s.scalars(select(JobItem.item_key).where(JobItem.job_id == summary["run_id"])).all()
        ids = [k.removeprefix("finding:") for k in keys if k.startswith("finding:")]
        analyses = s.scalar(
            select(func.count()).select_from(AnalysisRow).where(AnalysisRow.finding_id.in_(ids))
        )
    assert analyses == 9
    # The work really ran in the worker process, not here.
    log = (tmp_path / "worker.log").read_text()
    assert "auditlens.batch.process_item" in log and "succeeded" in log


def test_worker_killed_mid_run_is_replaced_without_duplicates(
    tmp_path: Path, celery_env: dict[str, str], worker: subprocess.Popen[bytes]
) -> None:
    """SIGKILL the worker once results are flowing; a restarted worker finishes the run exactly once."""
    import threading

    source = write_history(tmp_path)
    settings = Settings(
        data_dir=Path(celery_env["AUDITLENS_DATA_DIR"]),
        celery_broker_url=celery_env["AUDITLENS_CELERY_BROKER_URL"],
        celery_queue=celery_env["AUDITLENS_CELERY_QUEUE"],
        _env_file=None,  # type: ignore[call-arg]
    )
    db.upgrade(settings.resolved_database_url)
    database = db.Database(settings.resolved_database_url)
    out = tmp_path / "out"
    result: dict[str, int] = {}

    def drive() -> None:
        result["code"] = _celery_batch(settings, source, out)

    driver = threading.Thread(target=drive, daemon=True)
    driver.start()

    def done() -> int:
        with database.session() as s:
            return int(
                s.scalar(
                    select(func.count())
                    .select_from(JobItem)
                    .where(JobItem.item_key.startswith("finding:"), JobItem.status == "done")
                )
                or 0
            )

    deadline = time.monotonic() + 240
    while done() < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert done() >= 2, (tmp_path / "worker.log").read_text()[-2000:]
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    # A new worker; claims of the dead one expire after the (short) lease.
    env = {**celery_env, "AUDITLENS_BATCH_CLAIM_LEASE_S": "5"}
    second = _spawn_worker(env, tmp_path, "worker2.log")
    try:
        driver.join(timeout=300)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=60)
    assert result.get("code") == 0, (tmp_path / "worker2.log").read_text()[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["findings"], summary["succeeded"], summary["failed"]) == (9, 9, 0)
    with database.session() as s:
        ids = [
            k.removeprefix("finding:")
            for k in s.scalars(select(JobItem.item_key).where(JobItem.job_id == summary["run_id"]))
            if k.startswith("finding:")
        ]
        per_finding = dict(
            s.execute(
                select(AnalysisRow.finding_id, func.count())
                .where(AnalysisRow.finding_id.in_(ids))
                .group_by(AnalysisRow.finding_id)
            ).all()
        )
    assert per_finding == dict.fromkeys(ids, 1)


def test_two_workers_share_one_cost_ceiling(
    tmp_path: Path, celery_env: dict[str, str], chroma_server: str
) -> None:
    """Two worker processes on an LLM run: together they never spend past the run's ceiling."""
    from api.batch import store as st
    from api.batch.simulator import LLMSimulator, SimulatorConfig

    ceiling = 0.4
    with LLMSimulator(SimulatorConfig(latency_s=0.4)) as sim:
        env = {
            **celery_env,
            "AUDITLENS_CHROMA_URL": chroma_server,
            "AUDITLENS_LLM_BASE_URL": sim.base_url,
            "AUDITLENS_LLM_MODEL": "sim-1",
            "AUDITLENS_LLM_API_KEY": "sim-key",
            "AUDITLENS_LLM_MAX_TOKENS": "600",
            # $10 per million tokens: a call (a prompt of about 11k tokens) costs about $0.1, so the
            # ceiling admits a few of the nine findings.
            "AUDITLENS_LLM_PRICE_IN_PER_MTOK": "10",
            "AUDITLENS_LLM_PRICE_OUT_PER_MTOK": "10",
        }
        settings = Settings(
            data_dir=Path(env["AUDITLENS_DATA_DIR"]),
            celery_broker_url=env["AUDITLENS_CELERY_BROKER_URL"],
            celery_queue=env["AUDITLENS_CELERY_QUEUE"],
            chroma_url=chroma_server,
            llm_base_url=sim.base_url,
            llm_model="sim-1",
            llm_api_key="sim-key",
            llm_max_tokens=600,
            llm_price_in_per_mtok=10,
            llm_price_out_per_mtok=10,
            _env_file=None,  # type: ignore[call-arg]
        )
        db.upgrade(settings.resolved_database_url)
        workers = [_spawn_worker(env, tmp_path, f"worker{n}.log") for n in range(2)]
        try:
            # Both workers listen before the run starts, so both take part in it.
            deadline = time.monotonic() + 120
            while not all(" ready." in (tmp_path / f"worker{n}.log").read_text() for n in range(2)):
                assert time.monotonic() < deadline, "the Celery workers did not start"
                time.sleep(0.2)
            code = _celery_batch(
                settings, write_history(tmp_path), tmp_path / "out", provider="openai", max_cost_usd=ceiling
            )
        finally:
            for proc in workers:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=60)
        calls = sim.stats.ok
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert code == 3, summary["errors"]  # paused at the ceiling, resumable
    spent = st.RunStore(db.Database(settings.resolved_database_url)).usage(summary["run_id"])["cost_usd"]
    assert 0 < spent <= ceiling, (spent, calls)
    assert 0 < calls < 9  # some findings were analysed, the rest wait for a raised ceiling
    # Both processes took part (otherwise one process's own ceiling would have been enough).
    assert all("auditlens.batch.process_item" in (tmp_path / f"worker{n}.log").read_text() for n in range(2))


def test_worker_refuses_what_would_share_the_embedded_store(
    celery_env: dict[str, str], tmp_path: Path
) -> None:
    prefork = subprocess.run(
        [AUDITLENS, "worker", "--pool", "prefork", "--concurrency", "2"],
        env=celery_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert prefork.returncode != 0
    assert "AUDITLENS_CHROMA_URL" in prefork.stderr + prefork.stdout
    assert "Traceback" not in prefork.stderr
