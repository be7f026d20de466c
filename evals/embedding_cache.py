"""An Embedder wrapper that embeds each distinct text once per run (analyzer, baselines, coverage)."""

from __future__ import annotations

from collections.abc import Sequence

from analyzer.ports import Embedder


class CachingEmbedder:
    """Implements the Embedder port over another embedder, remembering vectors by (kind, text)."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        # Queries and documents are cached apart: some providers embed them differently.
        self._docs: dict[str, list[float]] = {}
        self._queries: dict[str, list[float]] = {}

    @property
    def name(self) -> str:
        """The wrapped model's name (what provenance records)."""
        return self._inner.name

    @property
    def dimension(self) -> int:
        """The wrapped model's vector length."""
        return self._inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed passages, sending only texts not seen before to the wrapped model (in one batch)."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._docs))
        if missing:
            for text, vector in zip(missing, self._inner.embed_documents(missing), strict=True):
                self._docs[text] = vector
        return [self._docs[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        """Embed one query (cached)."""
        if text not in self._queries:
            self._queries[text] = self._inner.embed_query(text)
        return self._queries[text]
