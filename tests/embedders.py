"""Embedder test doubles built on a real embedder (they implement the Embedder port for real)."""

from __future__ import annotations

from collections.abc import Sequence

from analyzer.ports import Embedder


class FailingEmbedder:
    """A real embedder that raises on its Nth embed_documents call (a crash mid-way through a document)."""

    def __init__(
        self, inner: Embedder, fail_on_call: int, *, message: str = "embedding service unavailable"
    ) -> None:
        self._inner = inner
        self._fail_on_call = fail_on_call
        self._message = message
        self.calls = 0

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        if self.calls == self._fail_on_call:
            raise RuntimeError(self._message)
        return self._inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._inner.embed_query(text)
