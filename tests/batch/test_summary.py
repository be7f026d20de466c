"""Summary numbers: a generated 3-audit x 3-period history with a planted repeat finding."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from analyzer.settings import Settings
from api.batch import store as st
from api.batch.summary import FindingRecord, build_summary
from api.cli.batch_cmd import run_batch
from tests.batch.history import REPEAT_CONTROL, write_history


def _record(
    fid: str, audit: str, control: str, etype: str, cause: str, status: str = st.DONE
) -> FindingRecord:
    return FindingRecord(
        finding_id=fid,
        audit=audit,
        status=status,
        data={"control_ref": control, "exception_type": etype, "root_causes": [cause], "llm_calls": 1},
    )


def test_summary_from_records_counts_repeats_and_changes() -> None:
    audits = {
        n: {"name": n, "period_start": f"{y}-01-01", "period_end": f"{y}-12-31", "auditee": None}
        for n, y in (("a22", 2022), ("a23", 2023), ("a24", 2024))
    }
    records = [
        _record("1", "a22", "CC6.2", "operating_ineffectiveness", "inadequate_monitoring"),
        _record("2", "a22", "CC7.2", "control_gap", "human_error"),
        _record("3", "a23", "cc6.2", "operating_ineffectiveness", "human_error"),
        _record("4", "a23", "CC8.1", "control_gap", "human_error"),
        _record("5", "a24", "CC6.2", "insufficient_documentation", "inadequate_monitoring"),
        _record("6", "a24", "A1.2", "vendor_noncompliance", "vendor_noncompliance"),
        _record("7", "a24", "CC9.9", "control_gap", "human_error", status=st.FAILED),
    ]
    docs = [SimpleNamespace(status=st.DONE, result={"audit": a}, error=None) for a in audits]
    summary = build_summary(
        run_id="r",
        params={"audits": audits, "provider": "openai"},
        findings=records,
        documents=docs,
        status="completed",
    )
    assert (summary["audits"], summary["findings"], summary["succeeded"], summary["failed"]) == (3, 7, 6, 1)
    assert summary["llm_calls"] == 7
    repeats = {
        (r["basis"], r["control_ref"], r["exception_type"]): r["audits"] for r in summary["repeat_findings"]
    }
    assert repeats == {
        ("control", "CC6.2", "operating_ineffectiveness"): ["a22", "a23", "a24"],
        # control_gap + human_error in 2022 and 2023 (the failed 2024 one does not count).
        ("type_cause", "CC7.2", "control_gap"): ["a22", "a23"],
    }
    assert summary["top_controls"][0] == {"control_ref": "CC6.2", "findings": 3, "audits": 3}
    changes = summary["latest_changes"]
    assert changes["previous"]["audit"] == "a23" and changes["latest"]["audit"] == "a24"
    assert changes["new_controls"] == ["A1.2"]
    assert changes["recurring_controls"] == ["CC6.2"]
    assert changes["resolved_controls"] == ["CC8.1"]
    assert changes["exception_type_delta"] == {
        "control_gap": -1,
        "insufficient_documentation": 1,
        "operating_ineffectiveness": -1,
        "vendor_noncompliance": 1,
    }


@pytest.mark.slow
def test_batch_run_over_generated_history(tmp_path: Path) -> None:
    source = write_history(tmp_path)
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    from analyzer.storage import db

    db.upgrade(settings.resolved_database_url)
    out = tmp_path / "out"
    code = run_batch(
        settings=settings,
        source=source,
        org="acme",
        provider="offline",
        concurrency=2,
        rpm=None,
        tpm=None,
        max_cost_usd=None,
        resume=None,
        out=out,
        as_json=True,
        executor=None,
    )
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "completed"
    assert summary["audits"] == 3
    # 3 reports ingested; the evidence-only folder and the period-less file are failed inputs.
    assert (summary["documents"], summary["documents_failed"]) == (5, 2)
    assert summary["findings"] == 9
    assert summary["succeeded"] + summary["failed"] == summary["findings"]
    assert summary["llm_calls"] == 0  # offline analyzer
    assert [a["findings"] for a in summary["per_audit"]] == [3, 3, 3]
    assert [a["period"] for a in summary["per_audit"]] == ["2022", "2023", "2024"]
    control_repeats = [r for r in summary["repeat_findings"] if r["basis"] == "control"]
    assert [(r["control_ref"], r["audits"]) for r in control_repeats] == [
        (REPEAT_CONTROL, ["acme-2022", "acme-2023", "acme-2024"])
    ]
    assert control_repeats[0]["exception_type"]
    changes = summary["latest_changes"]
    assert changes["recurring_controls"] == [REPEAT_CONTROL]
    assert changes["new_controls"] == ["A1.2", "CC3.2"]
    assert changes["resolved_controls"] == ["CC8.1", "CC9.2"]
    with (out / "findings.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 9 and {r["control_ref"] for r in rows} >= {REPEAT_CONTROL, "A1.2"}
    for chart in (
        "findings_per_audit",
        "types_over_time",
        "causes_over_time",
        "top_controls",
        "repeat_findings",
    ):
        assert (out / f"{chart}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "## Repeat findings" in (out / "summary.md").read_text()
    run = json.loads((out / "run.json").read_text())
    assert run["run_id"] == summary["run_id"] and run["status"] == "completed"
    assert not list(out.glob(".*.tmp"))  # no temp file left behind
