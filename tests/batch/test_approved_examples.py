"""Batch runs learn from plans reviewers approved in the organization's earlier audits, like `analyze`."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.models import FindingAnalysis, Provenance
from analyzer.settings import Settings
from analyzer.storage import catalog, plans
from analyzer.storage.db import Database
from analyzer.taxonomy import ExceptionType
from api.batch.services import ProductServices, RunLimits
from tests.analyzer.fakes import FakeChatModel, good_answer, make_finding

APPROVED_SUMMARY = "Give the access review a named backup owner and a calendar reminder."


def _approved_history(database: Database) -> tuple[str, str]:
    """One organization with an approved plan in its 2024 audit; returns (org id, 2025 audit id)."""
    reviewer = plans.Actor(key_id="key-reviewer", role="reviewer")
    with database.session() as s:
        org = catalog.get_or_create_organization(s, name="Acme").id
        old = catalog.get_or_create_audit(s, org_id=org, name="2024").id
        new = catalog.get_or_create_audit(s, org_id=org, name="2025").id
        earlier = make_finding(
            id="f-2024", org_id=org, audit_id=old, text="3 of 8 quarterly access reviews were done late."
        )
        catalog.save_findings(s, org_id=org, audit_id=old, document_id=None, findings=[earlier])
        answer = good_answer([])
        analysis = FindingAnalysis.model_validate(
            {
                **answer,
                "finding_id": earlier.id,
                "action_plan": {**answer["action_plan"], "summary": APPROVED_SUMMARY},
                "provenance": Provenance(analyzer="offline", analyzer_version="t").model_dump(),
            }
        )
        plans.record_analysis(s, org_id=org, analysis=analysis)
        plans.approve_plan(
            s, org_id=org, finding_id=earlier.id, expected=1, actor=reviewer, require_separate_approver=False
        )
    return org, new


@pytest.mark.slow
def test_batch_llm_prompt_carries_the_approved_plan_of_an_earlier_audit(
    tmp_path: Path, sqlite_db: Database
) -> None:
    org, new_audit = _approved_history(sqlite_db)
    chat = FakeChatModel().enqueue(good_answer([]))
    services = ProductServices(
        settings=Settings(data_dir=tmp_path / "data", llm_model="fake-model"),
        database=sqlite_db,
        limits=RunLimits(provider="openai"),
        chat=chat,
    )
    analysis = services.analyzer().analyze(make_finding(id="f-2025", org_id=org, audit_id=new_audit))
    assert analysis.status == "ok"
    assert APPROVED_SUMMARY in chat.requests[0].messages[1].content


@pytest.mark.slow
def test_batch_offline_analyzer_names_the_approved_finding_it_followed(
    tmp_path: Path, sqlite_db: Database
) -> None:
    org, new_audit = _approved_history(sqlite_db)
    services = ProductServices(
        settings=Settings(data_dir=tmp_path / "data"), database=sqlite_db, limits=RunLimits()
    )
    later = make_finding(
        id="f-2025", org_id=org, audit_id=new_audit, text="2 of 8 quarterly access reviews were done late."
    )
    analysis = services.analyzer().analyze(later)
    assert analysis.exception_type is ExceptionType.OPERATING_INEFFECTIVENESS
    assert "approved earlier findings f-2024" in analysis.rationale
