"""Approved examples from SQL feed the LLM prompt: only the org's own, only approved, only earlier audits."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.adapters.embeddings import MiniLMEmbedder
from analyzer.llm_analyzer import LLMAnalyzer
from analyzer.models import FindingAnalysis, Provenance
from analyzer.retrieval import Retriever
from analyzer.storage import catalog, plans
from analyzer.storage.approved_examples import SqlApprovedExamples
from analyzer.storage.db import Database, upgrade
from tests.analyzer.fakes import FakeChatModel, good_answer, make_finding


def _analysis(finding_id: str, summary: str) -> FindingAnalysis:
    answer = good_answer()
    return FindingAnalysis.model_validate(
        {
            "finding_id": finding_id,
            "exception_type": "operating_ineffectiveness",
            "confidence": 0.8,
            "root_causes": [{"category": "resource_constraints", "explanation": "vacancies"}],
            "action_plan": {**answer["action_plan"], "summary": summary},
            "provenance": Provenance(analyzer="offline", analyzer_version="t").model_dump(),
        }
    )


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.mark.slow
def test_only_approved_plans_of_the_same_org_and_other_audits(
    tmp_path: Path, embedder: MiniLMEmbedder
) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    upgrade(url)
    database = Database(url)
    reviewer = plans.Actor(key_id="key-reviewer", role="reviewer")
    with database.session() as s:
        org_a = catalog.get_or_create_organization(s, name="A").id
        org_b = catalog.get_or_create_organization(s, name="B").id
        old_a = catalog.get_or_create_audit(s, org_id=org_a, name="2024").id
        new_a = catalog.get_or_create_audit(s, org_id=org_a, name="2025").id
        old_b = catalog.get_or_create_audit(s, org_id=org_b, name="2024").id
        rows = [
            (org_a, old_a, "a-old-approved", "3 of 8 quarterly access reviews were late.", True),
            (org_a, old_a, "a-old-draft", "2 of 8 quarterly access reviews were late.", False),
            (org_a, old_a, "a-old-other", "Backups were not tested during the year.", True),
            (org_a, new_a, "a-new-approved", "Quarterly access reviews were late again.", True),
            (org_b, old_b, "b-old-approved", "3 of 8 quarterly access reviews were late.", True),
        ]
        for org, audit, fid, text, approve in rows:
            finding = make_finding(id=fid, org_id=org, audit_id=audit, text=text)
            catalog.save_findings(s, org_id=org, audit_id=audit, document_id=None, findings=[finding])
            plans.record_analysis(s, org_id=org, analysis=_analysis(fid, f"Approved plan of {fid}."))
            if approve:
                plans.approve_plan(
                    s, org_id=org, finding_id=fid, expected=1, actor=reviewer, require_separate_approver=False
                )
    store = SqlApprovedExamples(database, embedder)
    found = store.similar(org_id=org_a, text="quarterly access reviews late", k=5, exclude_audit_id=new_a)
    assert [e.finding.id for e in found] == ["a-old-approved", "a-old-other"]
    assert found[0].score > found[1].score
    assert found[0].analysis.action_plan is not None
    assert found[0].analysis.action_plan.summary == "Approved plan of a-old-approved."
    assert (
        store.similar(org_id=org_b, text="access reviews", k=5, exclude_audit_id=None)[0].finding.org_id
        == org_b
    )

    # ...and the approved plan reaches the prompt of a new finding in the later audit.
    chat = FakeChatModel().enqueue(good_answer([]))
    analyzer = LLMAnalyzer(chat=chat, retriever=Retriever(index=None, approved=store), model_name="m")
    analyzer.analyze(make_finding(id="a-new-2", org_id=org_a, audit_id=new_a))
    user = chat.requests[0].messages[1].content
    assert "Approved plan of a-old-approved." in user
    for absent in ("a-old-draft", "b-old-approved", "a-new-approved"):  # draft, other org, same audit
        assert f"Approved plan of {absent}." not in user
    assert "2 of 8 quarterly access reviews were late." not in user
    database.dispose()
