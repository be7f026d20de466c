"""Exactly-once under SIGKILL: kill the batch process at several points, resume, lose and repeat nothing.

The LLM is a loopback OpenAI-compatible simulator (api.batch.simulator) that counts calls per finding;
the batch process is the real `auditlens batch` command in a subprocess, killed with SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from analyzer.storage.db import Database
from analyzer.storage.tables import AnalysisRow, FindingRow, JobItem, PlanRevision
from api.batch import store as st
from api.batch.simulator import LLMSimulator, SimulatorConfig
from tests.batch.history import write_history

pytestmark = pytest.mark.slow
AUDITLENS = str(Path(sys.executable).parent / "auditlens")


@pytest.fixture()
def simulator() -> Iterator[LLMSimulator]:
    with LLMSimulator(SimulatorConfig(latency_s=0.6)) as sim:
        yield sim


def _env(data_dir: Path, sim: LLMSimulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITLENS_")}
    env.update(
        AUDITLENS_DATA_DIR=str(data_dir),
        AUDITLENS_LLM_BASE_URL=sim.base_url,
        AUDITLENS_LLM_MODEL="sim-1",
        AUDITLENS_LLM_API_KEY="sim-key",
        AUDITLENS_LLM_MAX_TOKENS="600",
    )
    return env


def _start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    # Own session, so SIGKILL reaches the batch process and any parser child it started.
    return subprocess.Popen(
        [AUDITLENS, "batch", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _first_event(proc: subprocess.Popen[str]) -> dict[str, str]:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, f"batch printed nothing; stderr: {proc.stderr.read() if proc.stderr else ''}"
    return json.loads(line)


def _wait(condition: Callable[[], bool], proc: subprocess.Popen[str], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if proc.poll() is not None:
            pytest.fail(
                f"batch exited early ({proc.returncode}): {proc.stderr.read() if proc.stderr else ''}"
            )
        time.sleep(0.05)
    pytest.fail("condition not reached in time")


def _kill(proc: subprocess.Popen[str]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _done_findings(database: Database, run_id: str) -> set[str]:
    with database.session() as s:
        return set(
            s.scalars(
                select(JobItem.item_key).where(
                    JobItem.job_id == run_id,
                    JobItem.item_key.startswith("finding:"),
                    JobItem.status == st.DONE,
                )
            )
        )


def _condition_texts(database: Database, keys: set[str]) -> dict[str, str]:
    ids = [k.removeprefix("finding:") for k in keys]
    with database.session() as s:
        rows = s.execute(select(FindingRow.id, FindingRow.data).where(FindingRow.id.in_(ids))).all()
    return {f"finding:{fid}": data["text"] for fid, data in rows}


def _calls(database: Database, sim: LLMSimulator, key: str) -> int:
    text = _condition_texts(database, {key})[key]
    # The finding's own section of the prompt (its text also shows up in other prompts' evidence).
    return sim.calls_for("Exception noted: " + text[:60])


def _snapshot(database: Database, run_id: str, sim: LLMSimulator, snapshots: dict[str, int]) -> None:
    """Calls so far of every finding done at this kill (the killed process sends nothing more)."""
    for key in _done_findings(database, run_id):
        snapshots.setdefault(key, _calls(database, sim, key))
        assert snapshots[key] >= 1


def test_sigkill_at_several_points_then_resume(tmp_path: Path, simulator: LLMSimulator) -> None:
    source = write_history(tmp_path)
    data_dir = tmp_path / "data"
    env = _env(data_dir, simulator)
    subprocess.run([AUDITLENS, "db", "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True)
    database = Database(f"sqlite:///{(data_dir / 'auditlens.db').resolve()}")
    out = tmp_path / "out"
    base = ["--org", "acme", "--provider", "openai", "--concurrency", "2", "--json"]

    # 1. Killed right after it printed its run id (documents still being parsed).
    proc = _start([str(source), *base, "--out", str(out)], env, tmp_path)
    run_id = _first_event(proc)["run_id"]
    assert json.loads((out / "run.json").read_text())["run_id"] == run_id
    _kill(proc)
    snapshots: dict[str, int] = {}
    _snapshot(database, run_id, simulator, snapshots)

    # 2. Killed while an LLM request is in flight (the simulator has it, the answer is not back yet).
    calls_before = simulator.stats.requests
    proc = _start(["--resume", run_id, *base], env, tmp_path)
    assert _first_event(proc) == {"event": "resumed", "run_id": run_id, "out": str(out)}
    _wait(lambda: simulator.stats.requests > calls_before, proc)
    _kill(proc)
    _snapshot(database, run_id, simulator, snapshots)

    # 3. Killed after some findings were stored.
    target = len(_done_findings(database, run_id)) + 3
    proc = _start(["--resume", run_id, *base], env, tmp_path)
    _first_event(proc)
    _wait(lambda: len(_done_findings(database, run_id)) >= target, proc)
    _kill(proc)
    _snapshot(database, run_id, simulator, snapshots)
    assert 3 <= len(snapshots) < 9

    # 4. Resumed to the end.
    proc = _start(["--resume", run_id, *base], env, tmp_path)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    finished = json.loads(stdout.strip().splitlines()[-1])
    assert finished["event"] == "finished" and finished["status"] == "completed"

    # Nothing lost: every finding of the 3 reports has exactly one final result; inputs = succeeded + failed.
    assert (finished["findings"], finished["succeeded"], finished["failed"]) == (9, 9, 0)
    assert (finished["documents"], finished["documents_failed"]) == (5, 2)
    with database.session() as s:
        items = s.execute(
            select(JobItem.item_key, JobItem.status).where(
                JobItem.job_id == run_id, JobItem.item_key.startswith("finding:")
            )
        ).all()
        finding_ids = [k.removeprefix("finding:") for k, _ in items]
        per_finding_analyses = dict(
            s.execute(
                select(AnalysisRow.finding_id, func.count())
                .where(AnalysisRow.finding_id.in_(finding_ids))
                .group_by(AnalysisRow.finding_id)
            ).all()
        )
        revisions = s.scalar(
            select(func.count()).select_from(PlanRevision).where(PlanRevision.finding_id.in_(finding_ids))
        )
    assert len(items) == 9 and {status for _, status in items} == {st.DONE}
    # Nothing duplicated: one stored analysis and one plan revision per finding.
    assert per_finding_analyses == dict.fromkeys(finding_ids, 1)
    assert revisions == 9
    # No LLM call repeated for a finding already done when a kill hit: its call count never moved again.
    for key, calls in snapshots.items():
        assert _calls(database, simulator, key) == calls, f"{key} was sent to the LLM again after it was done"
    # Every finding was answered; only requests cut off by a kill may have been sent twice.
    assert sum(simulator.stats.calls_by_message.values()) <= 9 + 2 * 2
    assert finished["llm_calls"] == 9  # the stored results' own calls
    summary = json.loads((out / "summary.json").read_text())
    assert summary["run_id"] == run_id and summary["succeeded"] == 9
