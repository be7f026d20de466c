"""Floors computed in the same run: a majority-class baseline and, when available, an embedding kNN one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from analyzer.ports import Embedder
from analyzer.taxonomy import exception_type_ids, root_cause_ids
from evals.cases import EvalCase
from evals.scoring import Prediction, headline


class TypePredictor(Protocol):
    """Something that predicts a type and causes from finding text alone (e.g. an exemplar kNN)."""

    def predict(self, text: str) -> Prediction:
        """Type and causes for one finding text."""
        ...


@dataclass(frozen=True)
class BaselineResult:
    """One baseline's headline metrics and how it predicts."""

    name: str
    description: str
    metrics: dict[str, float | None]

    def as_dict(self) -> dict[str, object]:
        """The summary entry of the baseline."""
        return {"description": self.description, **self.metrics}


def _most_common(counter: Counter[str], order: Sequence[str]) -> str | None:
    """Most frequent key; ties go to the earlier key in `order` (so the result is deterministic)."""
    if not counter:
        return None
    best = max(counter.values())
    return next(k for k in order if counter.get(k) == best)


def majority_prediction(cases: Sequence[EvalCase]) -> Prediction:
    """The suite's most frequent strict type and most frequent required cause, for every case."""
    types = Counter(c.expected.exception_type.value for c in cases if c.expected.exception_type)
    causes = Counter(r.value for c in cases for r in c.expected.root_causes)
    top_type = _most_common(types, exception_type_ids())
    top_cause = _most_common(causes, root_cause_ids())
    return Prediction(top_type, (top_cause,) if top_cause else ())


def majority_baseline(cases: Sequence[EvalCase]) -> BaselineResult:
    """Predict the suite's majority strict label (and majority required cause) for every case."""
    pred = majority_prediction(cases)
    cause = pred.root_causes[0] if pred.root_causes else "none"
    return BaselineResult(
        name="majority",
        description=(
            f"always `{pred.exception_type}` and cause `{cause}`: the most frequent strict label and "
            "required cause of this suite's own labels (it knows the label distribution: a generous floor)"
        ),
        metrics=headline(cases, [pred] * len(cases)),
    )


def finding_text(case: EvalCase) -> str:
    """The text a text-only baseline sees: title, finding and management response (never the cause)."""
    parts = [case.finding.title, case.finding.text, case.finding.management_response]
    return "\n".join(p for p in parts if p)


def predictor_baseline(
    cases: Sequence[EvalCase], predictor: TypePredictor, *, name: str, description: str
) -> BaselineResult:
    """Headline metrics of a text-only predictor over the cases."""
    preds = [predictor.predict(finding_text(c)) for c in cases]
    return BaselineResult(name=name, description=description, metrics=headline(cases, preds))


def knn_baseline(cases: Sequence[EvalCase], embedder: Embedder) -> BaselineResult | None:
    """The offline analyzer's exemplar-only kNN, when that analyzer is installed (None otherwise)."""
    try:
        from evals.knn import exemplar_knn_predictor
    except ImportError:
        return None
    predictor = exemplar_knn_predictor(embedder)
    if predictor is None:
        return None
    return predictor_baseline(
        cases,
        predictor,
        name="knn",
        description=(
            "nearest neighbours in the offline analyzer's written exemplar bank by MiniLM embedding "
            "(no cue rules, no suite labels)"
        ),
    )
