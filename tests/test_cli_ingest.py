"""`auditlens ingest`, `auditlens findings` and `auditlens demo` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from api.cli import demo_cmd, ingest_cmd
from tests.ingestion.files import REPORT_MD

FINDING_KEYS = {
    "id",
    "control_ref",
    "title",
    "text",
    "sample",
    "management_response",
    "document",
    "page",
    "section",
}
ROW_KEYS = {"file", "pages", "elements", "chunks", "findings", "reconciliation", "status", "error"}


@pytest.fixture
def app() -> typer.Typer:
    cli = typer.Typer()
    ingest_cmd.register(cli)
    demo_cmd.register(cli)
    return cli


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory without a .env and a data dir of its own."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for name in ("AUDITLENS_DATABASE_URL", "AUDITLENS_CHROMA_URL", "AUDITLENS_EMBEDDING_PROVIDER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AUDITLENS_DATA_DIR", str(tmp_path / "data"))
    return work


def test_ingest_json_and_findings_json(app: typer.Typer, env: Path) -> None:
    runner = CliRunner()
    report = env / "report.md"
    report.write_text(REPORT_MD, encoding="utf-8")
    bad = env / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    result = runner.invoke(
        app, ["ingest", str(report), str(bad), "--org", "Acme", "--audit", "2025", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["org"] == "Acme" and payload["audit"] == "2025"
    rows = {Path(r["file"]).name: r for r in payload["files"]}
    assert set(rows) == {"report.md", "broken.docx"}
    assert all(set(r) >= ROW_KEYS for r in rows.values())
    assert rows["report.md"]["status"] == "ready" and rows["report.md"]["findings"] >= 1
    assert {"markers", "extracted", "matched"} <= set(rows["report.md"]["reconciliation"])
    assert rows["broken.docx"]["status"] == "failed" and rows["broken.docx"]["error"]
    error_lines = [line for line in result.stderr.splitlines() if "broken.docx" in line]
    assert len(error_lines) == 1 and error_lines[0].startswith("error:")
    assert "Traceback" not in result.output
    assert "upgraded the embedded database" in result.stderr  # said out loud, once

    listed = runner.invoke(app, ["findings", "--org", "Acme", "--audit", "2025", "--json"])
    assert listed.exit_code == 0, listed.output
    findings = json.loads(listed.stdout)
    assert len(findings) == rows["report.md"]["findings"]
    assert all(set(f) >= FINDING_KEYS for f in findings)
    first = findings[0]
    assert first["control_ref"] == "CC6.2" and first["document"] == "report.md"
    assert first["sample"]["exceptions"] == 2 and first["sample"]["sample_size"] == 25

    table = runner.invoke(app, ["findings", "--org", "Acme", "--audit", "2025"])
    assert table.exit_code == 0 and "CC6.2" in table.stdout

    again = runner.invoke(app, ["ingest", str(report), "--org", "Acme", "--audit", "2025"])
    assert again.exit_code == 0 and "duplicate" in again.stdout
    relisted = json.loads(
        runner.invoke(app, ["findings", "--org", "Acme", "--audit", "2025", "--json"]).stdout
    )
    assert [f["id"] for f in relisted] == [f["id"] for f in findings]


def test_reconciliation_mismatch_is_loud(app: typer.Typer, env: Path) -> None:
    listing = env / "findings.csv"
    listing.write_text(
        "Finding ID,Title,Condition,Criteria Ref\n"
        "F-1,Firewall review,Firewall rules were not reviewed in Q2.,CC6.6\n"
        "F-2,Scanner gap,,CC7.1\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["ingest", str(listing), "--org", "A", "--audit", "X", "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["files"]
    assert row["findings"] == 1 and row["reconciliation"]["matched"] is False
    warning = [line for line in result.stderr.splitlines() if line.startswith("WARNING:")]
    assert len(warning) == 1 and "findings.csv" in warning[0] and "2 exception markers" in warning[0]
    assert any("row 3" in line for line in result.stderr.splitlines())


def test_exit_code_nonzero_only_when_nothing_ingested(app: typer.Typer, env: Path) -> None:
    runner = CliRunner()
    empty = env / "empty.txt"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["ingest", str(empty), str(env / "nope.pdf"), "--org", "A", "--audit", "X"])
    assert result.exit_code == 1
    assert sum(1 for line in result.stderr.splitlines() if line.startswith("error:")) == 2
    assert "Traceback" not in result.output


def test_unknown_org_or_audit_is_one_line(app: typer.Typer, env: Path) -> None:
    result = CliRunner().invoke(app, ["findings", "--org", "Nobody", "--audit", "X"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == "error: organization 'Nobody' not found"


def test_explicit_database_url_must_be_migrated(
    app: typer.Typer, env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDITLENS_DATABASE_URL", f"sqlite:///{tmp_path / 'shared.db'}")
    report = env / "report.md"
    report.write_text(REPORT_MD, encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(report), "--org", "A", "--audit", "X"])
    assert result.exit_code == 1
    assert "auditlens db upgrade" in result.stderr
    assert not (tmp_path / "data" / "chroma").exists()  # refused before touching anything


@pytest.mark.slow
def test_demo_runs_offline_end_to_end(app: typer.Typer, env: Path, tmp_path: Path) -> None:
    if not (Path(__file__).resolve().parents[1] / "examples" / demo_cmd.DEMO_REPORT).is_file():
        pytest.skip("examples/acme-soc2-type2-2025.pdf has not been generated")
    result = CliRunner().invoke(app, ["demo", "--data-dir", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    assert "acme-soc2-type2-2025.pdf" in result.stdout
    assert "Findings in" in result.stdout
    assert "offline analyzer" in result.stdout
    assert "AUDITLENS_LLM_BASE_URL" in result.stdout
