"""Opt-in OpenAI Batch API path against a loopback fake of the files and batches endpoints.

Verified here: the input JSONL (one chat-completions request per finding, custom_id = finding id,
strict json_schema) is accepted by our fake, the output JSONL is parsed and stored through the normal
validation, and ingesting the same output again adds nothing. Not verified: OpenAI's own validation of
the input file (no network in tests).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from analyzer.settings import Settings
from analyzer.storage import db
from analyzer.storage.tables import AnalysisRow
from api.batch import openai_batch
from api.batch import store as st
from api.batch.runner import RunContext, build_services
from api.batch.simulator import LLMSimulator, SimulatorConfig
from api.cli.batch_cmd import EXIT_PAUSED, run_batch
from tests.batch.history import write_history

pytestmark = pytest.mark.slow


def test_submit_collect_and_reingest_without_duplicates(tmp_path: Path) -> None:
    source = write_history(tmp_path)
    with LLMSimulator(SimulatorConfig(latency_s=0.0)) as sim:
        settings = Settings(
            data_dir=tmp_path / "data",
            llm_base_url=sim.base_url,
            llm_model="sim-1",
            llm_api_key="sim-key",
            _env_file=None,  # type: ignore[call-arg]
        )
        db.upgrade(settings.resolved_database_url)
        out = tmp_path / "out"
        common = dict(
            settings=settings,
            org="acme",
            provider="openai",
            concurrency=2,
            rpm=None,
            tpm=None,
            max_cost_usd=None,
            out=None,
            as_json=True,
            executor=None,
        )
        # First pass: documents are ingested, the findings are submitted as one batch, the run pauses.
        code = run_batch(source=source, resume=None, openai_batch=True, **{**common, "out": out})  # type: ignore[arg-type]
        assert code == EXIT_PAUSED
        run = json.loads((out / "run.json").read_text())
        run_id = run["run_id"]
        lines = [json.loads(x) for x in (out / "openai-batch-input.jsonl").read_text().splitlines()]
        assert len(lines) == 9 and len({x["custom_id"] for x in lines}) == 9
        assert {x["url"] for x in lines} == {"/v1/chat/completions"}
        assert all(x["body"]["response_format"]["json_schema"]["strict"] for x in lines)
        assert sim.stats.requests == 0  # nothing went through the online endpoint

        # Second pass: the batch has ended; its answers are stored and the run completes.
        code = run_batch(source=None, resume=run_id, **common)  # type: ignore[arg-type]
        assert code == 0
        summary = json.loads((out / "summary.json").read_text())
        assert (summary["findings"], summary["succeeded"], summary["failed"]) == (9, 9, 0)
        assert summary["llm_calls"] == 9
        assert sim.stats.requests == 0  # answered by the batch, not by online calls

        # Re-ingesting the same output (e.g. after a crash mid-ingest) is a no-op.
        database = db.Database(settings.resolved_database_url)
        store = st.RunStore(database)
        job = store.get_run(run_id)
        ctx = RunContext(
            settings=settings,
            store=store,
            services=build_services(settings, database, job.params),
            run_id=run_id,
            org_id=job.org_id,
            params=job.params,
        )
        output = next(out.glob("openai-batch-*-output.jsonl")).read_text()
        counts = openai_batch.ingest_output(ctx, output)
        assert (counts.stored, counts.failed, counts.skipped) == (0, 0, 9)
        ids = [x["custom_id"] for x in lines]
        with database.session() as s:
            stored = s.scalar(
                select(func.count()).select_from(AnalysisRow).where(AnalysisRow.finding_id.in_(ids))
            )
        assert stored == 9
