"""Test doubles that really implement the analyzer ports (no Mock): a queue-fed chat model, small stores."""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Sequence
from typing import Any

from analyzer.errors import LLMError
from analyzer.models import Chunk, DocumentKind, Finding, RetrievedChunk
from analyzer.ports import ApprovedExample, ChatRequest, ChatResult


class FakeChatModel:
    """ChatModel port fed from a queue: enqueue answers (text/dict) or errors; it records every request."""

    def __init__(self, *, model: str = "fake-model") -> None:
        self.model = model
        self.requests: list[ChatRequest] = []
        self._queue: deque[ChatResult | LLMError] = deque()

    def enqueue(
        self,
        answer: str | dict[str, Any] | LLMError,
        *,
        input_tokens: int = 100,
        output_tokens: int = 50,
        cached_tokens: int = 0,
        attempts: int = 1,
    ) -> FakeChatModel:
        """Queue the next answer: a JSON string, a dict (serialised) or an LLMError to raise."""
        if isinstance(answer, LLMError):
            self._queue.append(answer)
            return self
        content = answer if isinstance(answer, str) else json.dumps(answer)
        self._queue.append(
            ChatResult(
                content=content,
                model=self.model,
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                cached_tokens=cached_tokens,
                attempts=attempts,
            )
        )
        return self

    @property
    def pending(self) -> int:
        """Answers not consumed yet."""
        return len(self._queue)

    def complete(self, request: ChatRequest) -> ChatResult:
        """Return (or raise) the next queued item; an empty queue is a test bug and says so."""
        self.requests.append(request)
        if not self._queue:
            raise AssertionError("FakeChatModel: no answer queued for this request")
        item = self._queue.popleft()
        if isinstance(item, LLMError):
            raise item
        return item


_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


class InMemoryIndex:
    """VectorIndex port over a dict with word-overlap scoring; honours every org/audit/kind filter."""

    def __init__(self) -> None:
        self._docs: dict[tuple[str, str], list[Chunk]] = {}
        self.searches: list[dict[str, Any]] = []

    def replace_document(self, *, org_id: str, document_id: str, chunks: Sequence[Chunk]) -> int:
        """Store the chunks of one document, replacing earlier ones."""
        self._docs[(org_id, document_id)] = [c for c in chunks if c.org_id == org_id]
        return len(self._docs[(org_id, document_id)])

    def delete_document(self, *, org_id: str, document_id: str) -> None:
        """Forget a document."""
        self._docs.pop((org_id, document_id), None)

    def document_chunk_count(self, *, org_id: str, document_id: str) -> int:
        """Chunks stored for a document."""
        return len(self._docs.get((org_id, document_id), []))

    def search(
        self,
        *,
        org_id: str,
        query: str,
        k: int,
        audit_id: str | None = None,
        kinds: Sequence[DocumentKind] | None = None,
        exclude_audit_id: str | None = None,
    ) -> list[RetrievedChunk]:
        """Chunks of the org ranked by shared words with the query."""
        self.searches.append({"org_id": org_id, "audit_id": audit_id, "kinds": kinds, "k": k})
        q = _words(query)
        hits = []
        for (org, _doc), chunks in self._docs.items():
            if org != org_id:
                continue
            for c in chunks:
                if audit_id is not None and c.audit_id != audit_id:
                    continue
                if exclude_audit_id is not None and c.audit_id == exclude_audit_id:
                    continue
                if kinds is not None and c.kind not in kinds:
                    continue
                w = _words(c.text)
                score = len(q & w) / max(1, len(q | w))
                hits.append(RetrievedChunk(chunk=c, score=score))
        hits.sort(key=lambda h: -h.score)
        return hits[:k]

    def get_chunks(self, *, org_id: str, chunk_ids: Sequence[str]) -> list[Chunk]:
        """Chunks of the org with those ids."""
        wanted = set(chunk_ids)
        return [c for (org, _d), cs in self._docs.items() if org == org_id for c in cs if c.id in wanted]


class ListApprovedExamples:
    """ApprovedExamples port over a list; filters by org and excluded audit like a real store must."""

    def __init__(self, examples: Sequence[ApprovedExample] = ()) -> None:
        self.examples = list(examples)
        self.calls: list[dict[str, Any]] = []

    def similar(
        self, *, org_id: str, text: str, k: int, exclude_audit_id: str | None = None
    ) -> list[ApprovedExample]:
        """Examples of the org outside the excluded audit, most word overlap first."""
        self.calls.append({"org_id": org_id, "k": k, "exclude_audit_id": exclude_audit_id})
        q = _words(text)
        pool = [
            e
            for e in self.examples
            if e.finding.org_id == org_id
            and (exclude_audit_id is None or e.finding.audit_id != exclude_audit_id)
        ]
        pool.sort(key=lambda e: -len(q & _words(e.finding.text)))
        return pool[:k]


def make_finding(**overrides: Any) -> Finding:
    """A SOC 2 style finding for tests; override any field."""
    data: dict[str, Any] = {
        "id": "f-1",
        "org_id": "org-a",
        "audit_id": "audit-2025",
        "document": "soc2-2025.pdf",
        "page": 41,
        "layout": "control_matrix",
        "control_ref": "CC6.3",
        "control_description": "User access is reviewed quarterly by system owners.",
        "test_performed": "Inspected the quarterly access reviews for a sample of quarters and systems.",
        "text": "For 2 of 8 quarterly user access reviews sampled, the review was done 35 to 50 days late.",
        "management_response": "Reviews slipped while the security team was short of two analysts.",
    }
    data.update(overrides)
    return Finding.model_validate(data)


def make_chunk(cid: str, text: str, **overrides: Any) -> Chunk:
    """A chunk of org-a / audit-2025 evidence unless overridden."""
    data: dict[str, Any] = {
        "id": cid,
        "org_id": "org-a",
        "audit_id": "audit-2025",
        "document_id": cid.split(":")[0],
        "document": "access-review-procedure.pdf",
        "kind": "evidence",
        "text": text,
        "page": 2,
    }
    data.update(overrides)
    return Chunk.model_validate(data)


def good_answer(cited: Sequence[str] = ("ev1:0",), **overrides: Any) -> dict[str, Any]:
    """A valid LLM answer for make_finding(), citing the given chunk ids."""
    answer: dict[str, Any] = {
        "exception_type": "operating_ineffectiveness",
        "other_types": [],
        "confidence": 0.82,
        "rationale": "Quarterly reviews exist but 2 of 8 were completed late.",
        "root_causes": [
            {
                "category": "resource_constraints",
                "explanation": "Management cites two vacant analyst positions.",
                "evidence": list(cited[:1]),
            }
        ],
        "action_plan": {
            "summary": "Staff the review rota, track due dates, and re-test CC6.3.",
            "severity": "medium",
            "severity_reason": "2 of 8 reviews late; no inappropriate access found.",
            "steps": [
                {
                    "title": "Assign backup reviewers",
                    "description": "Name a backup reviewer per system for quarters with vacancies.",
                    "category": "resource_allocation",
                    "owner_role": "CISO",
                    "due_in_days": 30,
                    "evidence_of_completion": "Approved reviewer rota.",
                    "addresses": ["resource_constraints"],
                },
                {
                    "title": "Re-test access reviews",
                    "description": "Re-test CC6.3 over the next two quarters.",
                    "category": "reassessment_retest",
                    "owner_role": "Internal Audit",
                    "due_in_days": 180,
                    "evidence_of_completion": "Re-test workpaper.",
                    "addresses": [],
                },
            ],
        },
        "cited_chunk_ids": list(cited),
    }
    answer.update(overrides)
    return answer
