"""Scoring functions: type accuracy and macro-F1, root-cause P/R/F1, plan checks, plan coverage, grounding.

Definitions (they are also printed in every report):
- strict type accuracy: over cases with a strict label; a failed case counts as wrong.
- lenient type accuracy: over every case; correct when the prediction is in `acceptable_types`.
- type macro-F1: per-type F1 over the 7 types on strictly labelled cases, averaged over the types that
  occur in the labels or the predictions (a type absent from both has no defined F1 and is left out).
- root causes (only cases whose source states a cause): precision = predicted causes that are acceptable /
  predicted causes; recall = required causes that were predicted / required causes; both pooled over
  cases (micro-averaged); F1 is their harmonic mean.
- plan coverage: the reference plan is split into actions; an action is covered when some drafted step
  has cosine similarity >= PLAN_COVERAGE_THRESHOLD with it (same embedder for both); a case scores the
  covered share, and the suite the mean over cases that have a reference and a drafted plan.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from analyzer.models import FindingAnalysis
from analyzer.ports import Embedder
from analyzer.taxonomy import (
    VERIFICATION_CATEGORIES,
    RootCause,
    StepCategory,
    exception_type_ids,
)

TYPE_LABELS: tuple[str, ...] = tuple(exception_type_ids())
NO_PREDICTION = "none"  # column of the confusion matrix for failed cases / no type
# Measured with all-MiniLM-L6-v2: two phrasings of the same remediation action score 0.60-0.77, unrelated
# actions 0.10-0.20, and generic template steps against a specific action 0.20-0.41; 0.5 keeps
# paraphrases and rejects "some remediation happened" boilerplate.
PLAN_COVERAGE_THRESHOLD = 0.5

# Which step categories address which cause: "a step per predicted cause" means each predicted cause has
# at least one step of one of these categories.
CAUSE_STEP_CATEGORIES: dict[RootCause, frozenset[StepCategory]] = {
    RootCause.INADEQUATE_PLANNING: frozenset(
        {StepCategory.CORRECTIVE_ACTION, StepCategory.ROOT_CAUSE_ANALYSIS, StepCategory.RESOURCE_ALLOCATION}
    ),
    RootCause.LACK_OF_CONTROL_DOCUMENTATION: frozenset({StepCategory.DOCUMENTATION_UPDATE}),
    RootCause.MISALIGNMENT_WITH_CRITERIA: frozenset(
        {StepCategory.CORRECTIVE_ACTION, StepCategory.AUDITOR_CONSULTATION, StepCategory.DOCUMENTATION_UPDATE}
    ),
    RootCause.HUMAN_ERROR: frozenset(
        {StepCategory.TRAINING, StepCategory.CORRECTIVE_ACTION, StepCategory.MONITORING}
    ),
    RootCause.INSUFFICIENT_TRAINING: frozenset({StepCategory.TRAINING}),
    RootCause.INADEQUATE_MONITORING: frozenset({StepCategory.MONITORING}),
    RootCause.VENDOR_NONCOMPLIANCE: frozenset({StepCategory.VENDOR_EVALUATION}),
    RootCause.RESOURCE_CONSTRAINTS: frozenset({StepCategory.RESOURCE_ALLOCATION}),
    RootCause.INADEQUATE_INCIDENT_RESPONSE: frozenset({StepCategory.INCIDENT_RESPONSE_IMPROVEMENT}),
    RootCause.ORGANIZATIONAL_CHANGE: frozenset({StepCategory.POST_CHANGE_REVIEW}),
}


def _ratio(num: float, den: float) -> float | None:
    """num/den, or None when nothing was counted (printed as n/a, never as a fake 0 or 1)."""
    return num / den if den else None


def f1(precision: float | None, recall: float | None) -> float | None:
    """Harmonic mean of precision and recall (0 when both are 0, None when either is undefined)."""
    if precision is None or recall is None:
        return None
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


# --- exception type ----------------------------------------------------------------------------------


def strict_type_accuracy(pairs: Iterable[tuple[str | None, str | None]]) -> float | None:
    """Share of (gold, predicted) pairs with a strict gold label where the prediction equals it."""
    scored = [(g, p) for g, p in pairs if g is not None]
    return _ratio(sum(1 for g, p in scored if g == p), len(scored))


def lenient_type_accuracy(items: Iterable[tuple[Sequence[str], str | None]]) -> float | None:
    """Share of (acceptable types, predicted) items where the prediction is acceptable."""
    rows = list(items)
    return _ratio(sum(1 for ok, p in rows if p is not None and p in ok), len(rows))


def confusion_matrix(pairs: Iterable[tuple[str | None, str | None]]) -> dict[str, dict[str, int]]:
    """gold type -> predicted type (or `none`) -> count, over strictly labelled cases; all 7 rows present."""
    columns = [*TYPE_LABELS, NO_PREDICTION]
    matrix = {g: dict.fromkeys(columns, 0) for g in TYPE_LABELS}
    for gold, pred in pairs:
        if gold is None:
            continue
        col = pred if pred in TYPE_LABELS else NO_PREDICTION
        matrix[gold][col] += 1
    return matrix


def per_type_f1(pairs: Iterable[tuple[str | None, str | None]]) -> dict[str, float | None]:
    """F1 of each of the 7 types over strictly labelled cases (None when the type is in neither column)."""
    rows = [(g, p) for g, p in pairs if g is not None]
    out: dict[str, float | None] = {}
    for label in TYPE_LABELS:
        tp = sum(1 for g, p in rows if g == label and p == label)
        n_pred = sum(1 for _, p in rows if p == label)
        n_gold = sum(1 for g, _ in rows if g == label)
        if n_pred == 0 and n_gold == 0:
            out[label] = None
            continue
        out[label] = 2 * tp / (n_pred + n_gold)
    return out


def type_macro_f1(pairs: Iterable[tuple[str | None, str | None]]) -> float | None:
    """Mean per-type F1 over the types that occur in the labels or the predictions."""
    values = [v for v in per_type_f1(pairs).values() if v is not None]
    return sum(values) / len(values) if values else None


# --- root causes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CauseCounts:
    """Counts behind the root-cause scores of one case."""

    predicted: int  # causes the analyzer named
    predicted_acceptable: int  # of those, how many are acceptable
    required: int  # causes the label requires
    required_found: int  # of those, how many were predicted


def cause_counts(predicted: Iterable[str], required: Iterable[str], acceptable: Iterable[str]) -> CauseCounts:
    """Count one case's root-cause hits (duplicates in the prediction count once)."""
    pred, req, acc = set(predicted), set(required), set(acceptable)
    return CauseCounts(
        predicted=len(pred),
        predicted_acceptable=len(pred & acc),
        required=len(req),
        required_found=len(req & pred),
    )


def cause_prf(counts: Iterable[CauseCounts]) -> tuple[float | None, float | None, float | None]:
    """Micro precision, recall and F1 pooled over cases."""
    rows = list(counts)
    precision = _ratio(sum(c.predicted_acceptable for c in rows), sum(c.predicted for c in rows))
    recall = _ratio(sum(c.required_found for c in rows), sum(c.required for c in rows))
    if recall == 0:
        return precision, recall, 0.0  # nothing required was found: F1 is 0 even with no predictions
    return precision, recall, f1(precision, recall)


# --- plans ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanChecks:
    """Structural checks of one drafted plan."""

    has_verification: bool  # some step re-tests / verifies the fix
    step_per_cause: bool  # every predicted cause has a step of a category that addresses it
    owner_and_due: bool  # every step names an owner role and a due date


def plan_checks(analysis: FindingAnalysis) -> PlanChecks | None:
    """Run the plan checks on an analysis (None when it drafted no plan)."""
    plan = analysis.action_plan
    if plan is None:
        return None
    categories = {s.category for s in plan.steps}
    per_cause = all(bool(CAUSE_STEP_CATEGORIES[item.category] & categories) for item in analysis.root_causes)
    return PlanChecks(
        has_verification=bool(categories & VERIFICATION_CATEGORIES),
        step_per_cause=per_cause,
        owner_and_due=all(s.owner_role.strip() and s.due_in_days is not None for s in plan.steps),
    )


_ACTION_SPLIT = re.compile(r"(?:\n\s*(?:[-*•]|\(?\d+[.)]|\(?[a-z][.)])\s+)|\n{2,}|(?<=[.;!?])\s+(?=[A-Z(])")
_MIN_ACTION_WORDS = 4


def split_actions(reference: str) -> list[str]:
    """Split a reference plan into actions: bullets, numbered items, blank-line paragraphs, sentences."""
    parts = (p.strip(" \t\n-*•;") for p in _ACTION_SPLIT.split("\n" + reference))
    return [p for p in parts if len(p.split()) >= _MIN_ACTION_WORDS]


def step_texts(analysis: FindingAnalysis) -> list[str]:
    """The text of each drafted step, as compared with reference actions."""
    if analysis.action_plan is None:
        return []
    return [f"{s.title}. {s.description}" for s in analysis.action_plan.steps]


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


def coverage_from_vectors(
    reference: Sequence[Sequence[float]], drafted: Sequence[Sequence[float]], threshold: float
) -> float | None:
    """Share of reference action vectors whose best drafted-step cosine reaches the threshold."""
    if not reference:
        return None
    if not drafted:
        return 0.0
    covered = sum(1 for r in reference if max(_cosine(r, d) for d in drafted) >= threshold)
    return covered / len(reference)


def plan_coverage(
    embedder: Embedder,
    reference: str,
    analysis: FindingAnalysis,
    *,
    threshold: float = PLAN_COVERAGE_THRESHOLD,
) -> float | None:
    """Coverage of one reference plan by the drafted steps (None when the reference has no actions)."""
    actions = split_actions(reference)
    if not actions:
        return None
    steps = step_texts(analysis)
    vectors = embedder.embed_documents([*actions, *steps]) if steps else embedder.embed_documents(actions)
    return coverage_from_vectors(vectors[: len(actions)], vectors[len(actions) :], threshold)


# --- grounding and output validity -------------------------------------------------------------------


def citation_counts(analysis: FindingAnalysis) -> tuple[int, int]:
    """(valid, total) cited chunk ids: citations and cause evidence must be among the retrieved chunks."""
    retrieved = set(analysis.provenance.retrieved_chunk_ids)
    cited = [c.chunk_id for c in analysis.citations]
    cited += [chunk_id for item in analysis.root_causes for chunk_id in item.evidence]
    return sum(1 for c in cited if c in retrieved), len(cited)


def schema_valid(analysis: FindingAnalysis) -> bool:
    """An ok analysis with a type and a plan that survives a round trip through the schema."""
    if analysis.status != "ok" or analysis.exception_type is None or analysis.action_plan is None:
        return False
    try:
        FindingAnalysis.model_validate_json(analysis.model_dump_json())
    except ValidationError:
        return False
    return True


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the defined values (None when there are none)."""
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def rate(flags: Iterable[bool]) -> float | None:
    """Share of True flags (None for no flags)."""
    vals = list(flags)
    return _ratio(sum(vals), len(vals))


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in [0, 100])."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def rounded(metrics: Mapping[str, float | None], digits: int = 4) -> dict[str, float | None]:
    """Round every defined value (reports stay readable and diffs stay small)."""
    return {k: (round(v, digits) if v is not None else None) for k, v in metrics.items()}
