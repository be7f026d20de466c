"""Nearest neighbours over the written exemplar bank: type (and cause) votes from similar examples."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analyzer.offline.exemplars import Exemplar, load_exemplars
from analyzer.ports import Embedder
from analyzer.taxonomy import TYPE_PRECEDENCE, ExceptionType, RootCause


@dataclass(frozen=True)
class Neighbour:
    """An exemplar and its cosine similarity to the query."""

    exemplar: Exemplar
    score: float


# Bank vectors per (embedding model, bank content): analyzers built repeatedly share one embedding pass.
_BANK_CACHE: dict[tuple[str, str], np.ndarray] = {}
_BANK_LOCK = threading.Lock()


def _bank_key(embedder: Embedder, texts: Sequence[str]) -> tuple[str, str]:
    digest = hashlib.sha256("\x1e".join(texts).encode("utf-8")).hexdigest()
    return embedder.name, digest


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.clip(norms, 1e-12, None)


class ExemplarKnn:
    """Similarity-weighted k-nearest-neighbour vote over the exemplar bank (usable alone as a baseline)."""

    def __init__(
        self, embedder: Embedder, exemplars: Sequence[Exemplar] | None = None, *, k: int = 7
    ) -> None:
        self._embedder = embedder
        self._exemplars = tuple(exemplars) if exemplars is not None else load_exemplars()
        if not self._exemplars:
            raise ValueError("the exemplar bank is empty")
        self.k = k
        texts = [ex.full_text for ex in self._exemplars]
        key = _bank_key(embedder, texts)
        with _BANK_LOCK:
            matrix = _BANK_CACHE.get(key)
            if matrix is None:
                matrix = _normalise(np.asarray(embedder.embed_documents(texts), dtype=np.float64))
                matrix.setflags(write=False)
                _BANK_CACHE[key] = matrix
        self._matrix = matrix

    @property
    def exemplars(self) -> tuple[Exemplar, ...]:
        """The bank searched."""
        return self._exemplars

    def embed(self, text: str) -> list[float]:
        """Embed a query the way neighbours() expects it."""
        return self._embedder.embed_query(text)

    def neighbours(
        self, text: str | None = None, *, vector: Sequence[float] | None = None
    ) -> list[Neighbour]:
        """The k most similar exemplars, best first (ties broken by id, so results are stable)."""
        if vector is None:
            if text is None:
                raise ValueError("neighbours() needs a text or a vector")
            vector = self.embed(text)
        query = _normalise(np.asarray(vector, dtype=np.float64))
        sims = self._matrix @ query
        order = sorted(range(len(sims)), key=lambda i: (-round(float(sims[i]), 9), self._exemplars[i].id))
        return [Neighbour(self._exemplars[i], float(sims[i])) for i in order[: self.k]]

    @staticmethod
    def type_votes(neighbours: Sequence[Neighbour]) -> dict[ExceptionType, float]:
        """Share of similarity mass per type among the neighbours (sums to 1)."""
        mass: dict[ExceptionType, float] = {}
        for n in neighbours:
            weight = max(n.score, 0.0) ** 2  # closer neighbours count disproportionately more
            mass[n.exemplar.type] = mass.get(n.exemplar.type, 0.0) + weight
        total = sum(mass.values()) or 1.0
        return {t: v / total for t, v in mass.items()}

    @staticmethod
    def cause_votes(neighbours: Sequence[Neighbour]) -> dict[RootCause, float]:
        """Share of neighbours (similarity-weighted) that state each cause."""
        total = sum(max(n.score, 0.0) for n in neighbours) or 1.0
        mass: dict[RootCause, float] = {}
        for n in neighbours:
            for cause in n.exemplar.causes:
                mass[cause] = mass.get(cause, 0.0) + max(n.score, 0.0) / total
        return mass

    def type_scores(self, text: str) -> dict[ExceptionType, float]:
        """Type votes for a text."""
        return self.type_votes(self.neighbours(text))

    def predict(self, text: str) -> ExceptionType:
        """The type with the most neighbour mass (precedence order breaks ties)."""
        votes = self.type_scores(text)
        return max(TYPE_PRECEDENCE, key=lambda t: (votes.get(t, 0.0), -TYPE_PRECEDENCE.index(t)))
