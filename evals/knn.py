"""The embedding-kNN baseline: the offline analyzer's exemplar-bank neighbour vote alone (no cue rules)."""

from __future__ import annotations

from analyzer.offline.knn import ExemplarKnn
from analyzer.ports import Embedder
from analyzer.taxonomy import TYPE_PRECEDENCE
from evals.scoring import Prediction

# A cause is predicted when neighbours holding at least this share of the similarity mass state it.
CAUSE_VOTE_SHARE = 0.5


class ExemplarKnnPredictor:
    """Type = similarity-weighted vote of the k nearest exemplars; causes = those most neighbours state."""

    def __init__(self, knn: ExemplarKnn) -> None:
        self._knn = knn

    def predict(self, text: str) -> Prediction:
        """Predict from the finding text alone."""
        neighbours = self._knn.neighbours(vector=self._knn.embed(text))
        votes = ExemplarKnn.type_votes(neighbours)
        # Same rule as ExemplarKnn.predict: most neighbour mass, precedence order breaks ties.
        best = max(TYPE_PRECEDENCE, key=lambda t: (votes.get(t, 0.0), -TYPE_PRECEDENCE.index(t)))
        causes = sorted(
            (c for c, share in ExemplarKnn.cause_votes(neighbours).items() if share >= CAUSE_VOTE_SHARE),
            key=lambda c: c.value,
        )
        return Prediction(best.value, tuple(c.value for c in causes))


def exemplar_knn_predictor(embedder: Embedder) -> ExemplarKnnPredictor | None:
    """A predictor over the packaged exemplar bank."""
    return ExemplarKnnPredictor(ExemplarKnn(embedder))
