"""The in-memory case index: real MiniLM vectors, each case sees only its own chunks."""

from __future__ import annotations

import pytest

from analyzer.adapters.embeddings import MiniLMEmbedder
from analyzer.models import DocumentKind
from analyzer.ports import VectorIndex
from evals.case_index import CaseContextIndex, case_chunks
from evals.cases import EVAL_ORG, EvalCase


def _case(cid: str, context: str | None, response: str | None) -> EvalCase:
    return EvalCase.model_validate(
        {
            "id": cid,
            "finding": {"text": "x", "context": context, "management_response": response},
            "expected": {"exception_type": None, "acceptable_types": ["control_gap"]},
        }
    )


@pytest.fixture(scope="module")
def index() -> CaseContextIndex:
    cases = [
        _case(
            "a", "Firewall rules are reviewed each quarter by network engineering.", "Staff were on leave."
        ),
        _case("b", None, "The vendor did not send its SOC 2 report."),
        _case("c", None, None),
    ]
    return CaseContextIndex.for_cases(MiniLMEmbedder(), cases)


def test_chunks_of_a_case() -> None:
    chunks = case_chunks(_case("a", "ctx", "resp"))
    assert [c.id for c in chunks] == ["a:context", "a:response"]
    assert all(c.kind == DocumentKind.REPORT and c.audit_id == "eval-suite:a" for c in chunks)
    assert case_chunks(_case("c", None, None)) == []


def test_search_is_scoped_to_the_case_audit(index: CaseContextIndex) -> None:
    assert isinstance(index, VectorIndex)
    found = index.search(org_id=EVAL_ORG, query="firewall review", k=5, audit_id="eval-suite:a")
    assert [r.chunk.id for r in found] == ["a:context", "a:response"]
    assert found[0].score > found[1].score
    assert index.search(org_id=EVAL_ORG, query="vendor report", k=5, audit_id="eval-suite:c") == []
    assert index.search(org_id="other-org", query="vendor report", k=5) == []
    assert index.search(org_id=EVAL_ORG, query="x", k=5, kinds=[DocumentKind.EVIDENCE]) == []
    assert [c.id for c in index.get_chunks(org_id=EVAL_ORG, chunk_ids=["b:response", "zz"])] == ["b:response"]
    assert index.get_chunks(org_id="other-org", chunk_ids=["b:response"]) == []
    assert index.document_chunk_count(org_id=EVAL_ORG, document_id="a:report") == 2
