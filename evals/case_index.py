"""An in-memory VectorIndex over the eval cases' own report text, so LLM citations can be checked.

Eval cases come without documents. Each case's context and management response become report chunks
of that case's own audit (`EvalCase.audit_id`), so an analyzer that retrieves by audit sees only its
case's text, and a cited chunk id is valid only if it was really retrieved for that case.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analyzer.models import Chunk, DocumentKind, RetrievedChunk
from analyzer.ports import Embedder
from evals.cases import EVAL_ORG, EvalCase


def case_chunks(case: EvalCase) -> list[Chunk]:
    """The report chunks of one case: its context and its management response, when present."""
    parts = [("context", case.finding.context), ("response", case.finding.management_response)]
    audit_id = case.audit_id
    return [
        Chunk(
            id=f"{case.id}:{name}",
            org_id=EVAL_ORG,
            audit_id=audit_id,
            document_id=f"{case.id}:report",
            document=f"{case.id} (eval case)",
            kind=DocumentKind.REPORT,
            text=text,
            section=name,
        )
        for name, text in parts
        if text
    ]


class CaseContextIndex:
    """Implements the VectorIndex port in memory (cosine similarity), org- and audit-scoped."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._docs: dict[tuple[str, str], list[tuple[Chunk, np.ndarray]]] = {}

    @classmethod
    def for_cases(cls, embedder: Embedder, cases: Sequence[EvalCase]) -> CaseContextIndex:
        """An index holding every case's chunks (embedded in one batch)."""
        index = cls(embedder)
        chunks = [c for case in cases for c in case_chunks(case)]
        vectors = embedder.embed_documents([c.text for c in chunks]) if chunks else []
        for chunk, vec in zip(chunks, vectors, strict=True):
            index._docs.setdefault((chunk.org_id, chunk.document_id), []).append((chunk, _unit(vec)))
        return index

    def replace_document(self, *, org_id: str, document_id: str, chunks: Sequence[Chunk]) -> int:
        """Store all chunks of one document, replacing earlier ones."""
        if any(c.org_id != org_id or c.document_id != document_id for c in chunks):
            raise ValueError("every chunk must belong to the named organization and document")
        vectors = self._embedder.embed_documents([c.text for c in chunks]) if chunks else []
        self._docs[(org_id, document_id)] = [(c, _unit(v)) for c, v in zip(chunks, vectors, strict=True)]
        return len(chunks)

    def delete_document(self, *, org_id: str, document_id: str) -> None:
        """Remove every chunk of a document."""
        self._docs.pop((org_id, document_id), None)

    def document_chunk_count(self, *, org_id: str, document_id: str) -> int:
        """How many chunks of the document are stored."""
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
        """Nearest chunks of one organization, filtered like the real index."""
        pool = [
            (chunk, vec)
            for (org, _doc), items in self._docs.items()
            if org == org_id
            for chunk, vec in items
            if (audit_id is None or chunk.audit_id == audit_id)
            and (kinds is None or chunk.kind in kinds)
            and (exclude_audit_id is None or chunk.audit_id != exclude_audit_id)
        ]
        if not pool or k <= 0:
            return []
        q = _unit(self._embedder.embed_query(query))
        scored = sorted(((float(vec @ q), chunk) for chunk, vec in pool), key=lambda t: (-t[0], t[1].id))
        return [RetrievedChunk(chunk=c, score=max(0.0, min(1.0, s))) for s, c in scored[:k]]

    def get_chunks(self, *, org_id: str, chunk_ids: Sequence[str]) -> list[Chunk]:
        """Chunks by id within one organization (unknown ids are absent)."""
        wanted = set(chunk_ids)
        return [
            c
            for (org, _doc), items in self._docs.items()
            if org == org_id
            for c, _v in items
            if c.id in wanted
        ]


def _unit(vector: Sequence[float]) -> np.ndarray:
    arr = np.asarray(vector, dtype=np.float64)
    norm = float(np.linalg.norm(arr))
    return arr / norm if norm else arr
