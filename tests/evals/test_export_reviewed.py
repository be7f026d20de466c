"""Reviewer-approved plans in a real SQLite database become fixture cases that load and score."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from analyzer.models import Finding, FindingLayout
from analyzer.storage import catalog, plans
from analyzer.storage.db import Database
from evals.cases import FixtureError, load_cases
from evals.export_reviewed import export_reviewed
from tests.evals.keyword_analyzer import KeywordAnalyzer

REVIEWER = plans.Actor(key_id="key-reviewer", role="reviewer")
APPROVER = plans.Actor(key_id="key-approver", role="approver")


def _finding(org_id: str, audit_id: str, fid: str, text: str) -> Finding:
    return Finding(
        id=fid,
        org_id=org_id,
        audit_id=audit_id,
        layout=FindingLayout.IMPORT,
        text=text,
        control_ref="CC9.2",
        management_response="The vendor team lacked staff to review reports.",
    )


@pytest.fixture()
def database(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'auditlens.db'}")
    db.upgrade()
    analyzer = KeywordAnalyzer()
    with db.session() as s:
        org_a = catalog.get_or_create_organization(s, name="Org A").id
        org_b = catalog.get_or_create_organization(s, name="Org B").id
        audit_a = catalog.create_audit(s, org_id=org_a, name="FY25").id
        audit_b = catalog.create_audit(s, org_id=org_b, name="FY25").id
        items = [
            (org_a, audit_a, "fa-1", "The vendor SOC report was not obtained.", True),
            (org_a, audit_a, "fa-2", "There was no process for firewall reviews.", False),
            (org_b, audit_b, "fb-1", "The vendor SOC report was not reviewed.", True),
        ]
        for org, audit, fid, text, approve in items:
            finding = _finding(org, audit, fid, text)
            catalog.save_findings(s, org_id=org, audit_id=audit, document_id=None, findings=[finding])
            plans.record_analysis(s, org_id=org, analysis=analyzer.analyze(finding))
            if approve:
                plans.edit_plan(
                    s,
                    org_id=org,
                    finding_id=fid,
                    patch={"summary": "Reviewed: obtain and review the vendor's SOC 2 report."},
                    expected=1,
                    actor=REVIEWER,
                )
                current = plans.get_plan(s, org_id=org, finding_id=fid)
                steps = plans.current_content(s, current)["steps"]
                steps[0]["description"] = "Obtain the vendor's SOC 2 report and record the review."
                plans.edit_plan(
                    s, org_id=org, finding_id=fid, patch={"steps": steps}, expected=2, actor=REVIEWER
                )
                plans.approve_plan(
                    s, org_id=org, finding_id=fid, expected=3, actor=APPROVER, require_separate_approver=True
                )
    return db


def test_round_trip_exports_only_approved_plans_of_the_org(database: Database, tmp_path: Path) -> None:
    out = tmp_path / "reviewed.jsonl"
    with database.session() as s:
        org_a = catalog.find_organization(s, name="Org A")
        assert org_a is not None
        org_id = org_a.id
    written, skipped = export_reviewed(database, org_id=org_id, since=None, out=out)
    assert (written, skipped) == (1, 0)
    cases = load_cases(out)
    assert [c.id for c in cases] == ["fa-1"]
    case = cases[0]
    assert case.finding.text == "The vendor SOC report was not obtained."
    assert case.finding.management_response == "The vendor team lacked staff to review reports."
    assert case.expected.exception_type is not None
    assert case.expected.exception_type.value == "vendor_noncompliance"
    assert [c.value for c in case.expected.root_causes] == ["inadequate_monitoring", "resource_constraints"]
    assert case.expected.plan_reference is not None
    assert case.expected.plan_reference.startswith("1. ")
    assert "record the review" in case.expected.plan_reference  # the reviewer's edit, not the draft
    assert "reviewed" in case.tags


def test_since_filters_and_empty_export_is_an_error(database: Database, tmp_path: Path) -> None:
    with database.session() as s:
        org = catalog.find_organization(s, name="Org A")
        assert org is not None
        org_id = org.id
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    with pytest.raises(FixtureError, match="no approved plans approved on or after"):
        export_reviewed(database, org_id=org_id, since=tomorrow, out=tmp_path / "x.jsonl")
    assert not (tmp_path / "x.jsonl").exists()
    yesterday = datetime.now(UTC) - timedelta(days=1)
    assert export_reviewed(database, org_id=org_id, since=yesterday, out=tmp_path / "y.jsonl") == (1, 0)


def test_cli_export_reviewed(database: Database, tmp_path: Path) -> None:
    from api.cli import eval_cmd

    app = typer.Typer()
    eval_cmd.register(app)
    with database.session() as s:
        org = catalog.find_organization(s, name="Org B")
        assert org is not None
        org_id = org.id
    out = tmp_path / "b.jsonl"
    runner = CliRunner()
    env = {"AUDITLENS_DATABASE_URL": database.url}
    result = runner.invoke(app, ["eval", "export-reviewed", "--org", "Org B", "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert [c.id for c in load_cases(out)] == ["fb-1"]
    by_id = runner.invoke(app, ["eval", "export-reviewed", "--org", org_id, "--out", str(out)], env=env)
    assert by_id.exit_code == 0, by_id.output
    missing = runner.invoke(app, ["eval", "export-reviewed", "--org", "Org Z", "--out", str(out)], env=env)
    assert missing.exit_code == 1 and "organization 'Org Z' not found" in missing.output
    bad = runner.invoke(
        app, ["eval", "export-reviewed", "--org", org_id, "--since", "May 1", "--out", str(out)], env=env
    )
    assert bad.exit_code == 1
    assert "expected a date as YYYY-MM-DD" in bad.output
