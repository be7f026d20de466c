"""Batch runs learn from plans reviewers approved in the organization's earlier audits, like `analyze`.

The OpenAI Batch path pins the examples each request was built with, so reading the answer back hours
later rebuilds the very prompt that was sent even when reviewers approved more plans in between.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.llm_analyzer import LLMAnalyzer
from analyzer.models import FindingAnalysis, Provenance
from analyzer.ports import ChatRequest
from analyzer.retrieval import Retriever
from analyzer.settings import Settings
from analyzer.storage import catalog, plans
from analyzer.storage.db import Database
from analyzer.taxonomy import ExceptionType
from api.batch import store as st
from api.batch.openai_batch import PinnedApprovedExamples, RecordingChatModel
from api.batch.services import ProductServices, RunLimits
from tests.analyzer.fakes import FakeChatModel, good_answer, make_finding

APPROVED_SUMMARY = "Give the access review a named backup owner and a calendar reminder."


def _approve(
    database: Database, *, org: str, audit_name: str, finding_id: str, text: str, summary: str
) -> None:
    """Store a finding of an earlier audit with a plan a reviewer approved."""
    reviewer = plans.Actor(key_id="key-reviewer", role="reviewer")
    with database.session() as s:
        audit = catalog.get_or_create_audit(s, org_id=org, name=audit_name).id
        earlier = make_finding(id=finding_id, org_id=org, audit_id=audit, text=text)
        catalog.save_findings(s, org_id=org, audit_id=audit, document_id=None, findings=[earlier])
        answer = good_answer([])
        analysis = FindingAnalysis.model_validate(
            {
                **answer,
                "finding_id": earlier.id,
                "action_plan": {**answer["action_plan"], "summary": summary},
                "provenance": Provenance(analyzer="offline", analyzer_version="t").model_dump(),
            }
        )
        plans.record_analysis(s, org_id=org, analysis=analysis)
        plans.approve_plan(
            s, org_id=org, finding_id=earlier.id, expected=1, actor=reviewer, require_separate_approver=False
        )


def _approved_history(database: Database) -> tuple[str, str]:
    """One organization with an approved plan in its 2024 audit; returns (org id, 2025 audit id)."""
    with database.session() as s:
        org = catalog.get_or_create_organization(s, name="Acme").id
        new = catalog.get_or_create_audit(s, org_id=org, name="2025").id
    _approve(
        database,
        org=org,
        audit_name="2024",
        finding_id="f-2024",
        text="3 of 8 quarterly access reviews were done late.",
        summary=APPROVED_SUMMARY,
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


@pytest.mark.slow
def test_openai_batch_reads_back_with_the_examples_its_request_was_built_with(
    tmp_path: Path, sqlite_db: Database
) -> None:
    org, new_audit = _approved_history(sqlite_db)
    services = ProductServices(
        settings=Settings(data_dir=tmp_path / "data", llm_model="fake-model"),
        database=sqlite_db,
        limits=RunLimits(provider="openai"),
    )
    store = st.RunStore(sqlite_db)
    store.create_run(run_id="run-1", org_id=org, params={})
    finding = make_finding(id="f-2025", org_id=org, audit_id=new_audit)

    def request_with(*, record: bool) -> ChatRequest:
        recorder = RecordingChatModel()
        pinned = PinnedApprovedExamples(store, "run-1", services.approved_examples(), record=record)
        retriever = Retriever(index=services._index(), approved=pinned)
        LLMAnalyzer(chat=recorder, retriever=retriever, model_name="fake-model").analyze(finding)
        request = recorder.take()
        assert request is not None
        return request

    sent = request_with(record=True)  # building the Batch API input pins the examples
    assert APPROVED_SUMMARY in sent.messages[1].content

    # Hours later, before the output is read, a reviewer approves a plan for a closer earlier finding.
    newer = "Fix the late quarterly access reviews with an owner rota and automatic escalation."
    _approve(
        sqlite_db,
        org=org,
        audit_name="2023",
        finding_id="f-2023",
        text=finding.text,
        summary=newer,
    )
    live = services.approved_examples().similar(org_id=org, text=finding.text, k=3)
    assert newer in {e.analysis.action_plan.summary for e in live if e.analysis.action_plan}

    read_back = request_with(record=False)  # reading the output rebuilds the prompt that was sent
    assert read_back.messages == sent.messages
    assert newer not in read_back.messages[1].content
    # Pins are stored as finished items of the run, never counted as work.
    counts = store.counts("run-1")
    assert (counts.findings, counts.pending) == (0, 0)
    assert len(store.items("run-1", st.PIN_PREFIX)) == 1


def test_a_finding_built_without_a_pin_is_read_back_without_examples(sqlite_db: Database) -> None:
    with sqlite_db.session() as s:
        org = catalog.get_or_create_organization(s, name="Acme").id
    store = st.RunStore(sqlite_db)
    store.create_run(run_id="run-2", org_id=org, params={})
    reading = PinnedApprovedExamples(store, "run-2", None, record=False)
    assert reading.similar(org_id=org, text="any finding", k=3) == []
    assert store.items("run-2") == []
