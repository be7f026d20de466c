"""`auditlens analyze` end to end: real SQLite, real Chroma + MiniLM, the LLM path on a loopback server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from analyzer.models import FindingAnalysis
from analyzer.settings import Settings
from analyzer.storage import analyses as stored_analyses
from analyzer.storage import catalog, plans
from analyzer.storage.db import Database, upgrade
from api.cli import analyze_cmd
from tests.analyzer.fakes import good_answer, make_finding
from tests.analyzer.openai_stub import StubServer, completion

ORG, AUDIT = "Acme Corp", "SOC 2 Type II 2025"


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test root (keeps `analyze` a subcommand)."""

    analyze_cmd.register(app)
    return app


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, list[str]]]:
    """An isolated data dir with one audit of two findings; no LLM configured in the environment."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    for var in ("OPENAI_API_KEY", "AUDITLENS_LLM_API_KEY", "AUDITLENS_LLM_BASE_URL", "AUDITLENS_LLM_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AUDITLENS_DATA_DIR", str(tmp_path / "data"))
    settings = Settings()
    upgrade(settings.resolved_database_url)
    database = Database(settings.resolved_database_url)
    with database.session() as session:
        org = catalog.get_or_create_organization(session, name=ORG)
        audit = catalog.get_or_create_audit(session, org_id=org.id, name=AUDIT)
        findings = [
            make_finding(id="f-1", org_id=org.id, audit_id=audit.id, ordinal=0),
            make_finding(
                id="f-2",
                org_id=org.id,
                audit_id=audit.id,
                ordinal=1,
                control_ref="CC9.2",
                text="The SOC 2 report of the payroll service organization was not obtained or reviewed.",
                management_response=None,
            ),
        ]
        catalog.save_findings(session, org_id=org.id, audit_id=audit.id, document_id=None, findings=findings)
    database.dispose()
    yield tmp_path, [org.id, audit.id]


def _stored(tmp_path: Path, org_id: str) -> tuple[dict[str, FindingAnalysis], dict[str, object]]:
    database = Database(f"sqlite:///{(tmp_path / 'data' / 'auditlens.db').resolve()}")
    with database.session() as session:
        latest = stored_analyses.latest_analyses(session, org_id=org_id, finding_ids=["f-1", "f-2"])
        found = {fid: plans.find_plan(session, org_id=org_id, finding_id=fid) for fid in ("f-1", "f-2")}
    database.dispose()
    return latest, found


def test_openai_without_configuration_is_a_one_line_error(workspace: tuple[Path, list[str]]) -> None:
    result = CliRunner().invoke(_app(), ["analyze", "--org", ORG, "--audit", AUDIT, "--provider", "openai"])
    assert result.exit_code == 1
    # one message (the terminal may soft-wrap it), nothing else printed
    text = " ".join(result.output.split())
    assert result.output.count("error:") == 1 and text.startswith("error: --provider openai needs")
    assert "AUDITLENS_LLM_MODEL" in text and "AUDITLENS_LLM_BASE_URL" in text and "OPENAI_API_KEY" in text
    assert "Traceback" not in result.output


def test_unknown_audit_is_a_one_line_error(workspace: tuple[Path, list[str]]) -> None:
    result = CliRunner().invoke(_app(), ["analyze", "--org", ORG, "--audit", "nope", "--provider", "offline"])
    assert result.exit_code == 1
    assert "audit 'nope' not found in organization 'Acme Corp'" in result.output


@pytest.mark.slow
def test_llm_path_end_to_end_stores_ok_and_failed_correctly(
    workspace: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp_path, (org_id, _audit_id) = workspace
    bad = json.dumps(good_answer(["chunk-that-was-never-retrieved"]))
    with StubServer() as server:
        server.script(
            completion(json.dumps(good_answer([])), model="served-model", cached_tokens=1024),
            completion(bad),
            completion(bad),
        )
        monkeypatch.setenv("AUDITLENS_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("AUDITLENS_LLM_MODEL", "served-model")
        monkeypatch.setenv("AUDITLENS_LLM_STRUCTURED_METHOD", "function_calling")
        monkeypatch.setenv("AUDITLENS_LLM_MAX_RETRIES", "0")
        result = CliRunner().invoke(_app(), ["analyze", "--org", ORG, "--audit", AUDIT, "--json"])
    assert result.exit_code == 3, result.output
    assert "analyzer: llm (model served-model at http://127.0.0.1" in result.output
    assert "2 finding(s) analysed by the llm analyzer: 1 ok, 1 failed" in result.output
    assert "failed: f-2 (CC9.2): invalid model output after one repair" in result.output
    assert len(server.requests) == 3
    latest, found = _stored(tmp_path, org_id)
    ok, failed = latest["f-1"], latest["f-2"]
    assert ok.status == "ok" and ok.provenance.tokens.cached == 1024 and ok.provenance.prompt_hash
    assert failed.status == "failed" and failed.exception_type is None and failed.action_plan is None
    assert found["f-1"] is not None and found["f-2"] is None  # no plan drafted from a failed analysis


@pytest.mark.slow
def test_offline_table_names_the_analyzer_and_how_to_enable_an_llm(workspace: tuple[Path, list[str]]) -> None:
    tmp_path, (org_id, _a) = workspace
    result = CliRunner().invoke(_app(), ["analyze", "--org", ORG, "--audit", AUDIT])
    assert result.exit_code == 0, result.output
    assert "analyzer: offline" in result.output
    for var in ("AUDITLENS_LLM_BASE_URL", "AUDITLENS_LLM_MODEL", "OPENAI_API_KEY"):
        assert var in result.output
    for header in ("finding", "control", "type", "confidence", "causes", "plan summary"):
        assert header in result.output
    assert "CC6.3" in result.output and "CC9.2" in result.output
    latest, found = _stored(tmp_path, org_id)
    assert {a.provenance.analyzer for a in latest.values()} == {"offline"}
    assert all(p is not None for p in found.values())


@pytest.mark.slow
def test_csv_to_file_is_written_whole(workspace: tuple[Path, list[str]]) -> None:
    tmp_path, _ids = workspace
    out = tmp_path / "reports" / "analysis.csv"
    result = CliRunner().invoke(
        _app(),
        [
            "analyze",
            "--org",
            ORG,
            "--audit",
            AUDIT,
            "--provider",
            "offline",
            "--format",
            "csv",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "finding,control,type,confidence,causes,plan summary"
    assert len(rows) == 3 and not list(out.parent.glob(".analysis.csv.*"))
