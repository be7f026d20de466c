"""Metric functions on small cases computed by hand."""

from __future__ import annotations

import math

import pytest

from analyzer.models import (
    ActionPlan,
    Citation,
    FindingAnalysis,
    PlanStep,
    Provenance,
    RootCauseItem,
)
from analyzer.taxonomy import ExceptionType, RootCause, Severity, StepCategory
from evals import metrics

GAP, OPER, POLICY = "control_gap", "operating_ineffectiveness", "policy_noncompliance"


def test_strict_accuracy_skips_unlabelled_and_counts_failures_as_wrong() -> None:
    pairs = [(GAP, GAP), (OPER, GAP), (None, OPER), (POLICY, None)]
    # 3 strictly labelled cases, 1 right.
    assert metrics.strict_type_accuracy(pairs) == pytest.approx(1 / 3)
    assert metrics.strict_type_accuracy([(None, GAP)]) is None


def test_lenient_accuracy_uses_acceptable_types() -> None:
    items = [([GAP, OPER], OPER), ([POLICY], GAP), ([GAP], None), ([OPER, POLICY], POLICY)]
    assert metrics.lenient_type_accuracy(items) == pytest.approx(2 / 4)


def test_macro_f1_and_confusion_matrix_by_hand() -> None:
    pairs = [(GAP, GAP), (GAP, OPER), (OPER, OPER), (POLICY, OPER), (POLICY, None), (None, GAP)]
    # gap: tp1, pred1, gold2 -> 2/3; oper: tp1, pred3, gold1 -> 2/4; policy: tp0, gold2 -> 0.
    per = metrics.per_type_f1(pairs)
    assert per[GAP] == pytest.approx(2 / 3)
    assert per[OPER] == pytest.approx(0.5)
    assert per[POLICY] == 0.0
    assert per["data_breach_incident"] is None
    assert metrics.type_macro_f1(pairs) == pytest.approx((2 / 3 + 0.5 + 0) / 3)
    cm = metrics.confusion_matrix(pairs)
    assert set(cm) == set(metrics.TYPE_LABELS)
    assert cm[GAP][GAP] == 1 and cm[GAP][OPER] == 1
    assert cm[POLICY][OPER] == 1 and cm[POLICY]["none"] == 1
    assert sum(sum(row.values()) for row in cm.values()) == 5  # the unlabelled case is left out


def test_root_cause_precision_recall_f1_micro() -> None:
    counts = [
        # predicted {a, b}; required {a}; acceptable {a, c} -> 1 acceptable of 2, 1 of 1 required found
        metrics.cause_counts(["a", "b"], ["a"], ["a", "c"]),
        # predicted {c}; required {c, d}; acceptable {c, d} -> 1 of 1, 1 of 2
        metrics.cause_counts(["c", "c"], ["c", "d"], ["c", "d"]),
    ]
    p, r, f = metrics.cause_prf(counts)
    assert p == pytest.approx(2 / 3)
    assert r == pytest.approx(2 / 3)
    assert f == pytest.approx(2 / 3)
    # Predicting nothing: precision undefined, recall 0, F1 0.
    assert metrics.cause_prf([metrics.cause_counts([], ["a"], ["a"])]) == (None, 0.0, 0.0)


def _analysis(
    steps: list[PlanStep], causes: list[RootCause], *, cited: list[str], retrieved: list[str]
) -> FindingAnalysis:
    return FindingAnalysis(
        finding_id="f1",
        exception_type=ExceptionType.OPERATING_INEFFECTIVENESS,
        root_causes=[RootCauseItem(category=c, explanation="x", evidence=cited[:1]) for c in causes],
        action_plan=ActionPlan(summary="s", severity=Severity.LOW, severity_reason="r", steps=steps),
        citations=[Citation(chunk_id=c) for c in cited],
        provenance=Provenance(analyzer="offline", analyzer_version="t", retrieved_chunk_ids=retrieved),
    )


def _step(category: StepCategory, owner: str = "IT Manager") -> PlanStep:
    return PlanStep(
        title="t",
        description="d",
        category=category,
        owner_role=owner,
        due_in_days=30,
        evidence_of_completion="e",
    )


def test_plan_checks() -> None:
    good = _analysis(
        [_step(StepCategory.TRAINING), _step(StepCategory.REASSESSMENT_RETEST)],
        [RootCause.INSUFFICIENT_TRAINING],
        cited=[],
        retrieved=[],
    )
    checks = metrics.plan_checks(good)
    assert checks == metrics.PlanChecks(has_verification=True, step_per_cause=True, owner_and_due=True)
    bad = _analysis(
        [_step(StepCategory.TRAINING, owner="  ")],
        [RootCause.INSUFFICIENT_TRAINING, RootCause.VENDOR_NONCOMPLIANCE],
        cited=[],
        retrieved=[],
    )
    assert metrics.plan_checks(bad) == metrics.PlanChecks(
        has_verification=False, step_per_cause=False, owner_and_due=False
    )


def test_citation_counts_and_schema_valid() -> None:
    a = _analysis(
        [_step(StepCategory.MONITORING)],
        [RootCause.INADEQUATE_MONITORING],
        cited=["c1", "c9"],
        retrieved=["c1", "c2"],
    )
    # citations c1 (ok), c9 (not retrieved); cause evidence c1 (ok) -> 2 of 3
    assert metrics.citation_counts(a) == (2, 3)
    assert metrics.schema_valid(a) is True
    failed = a.model_copy(update={"status": "failed"})
    assert metrics.schema_valid(failed) is False


def test_split_actions() -> None:
    ref = (
        "1. Rewrite the access review procedure.\n2. Train all managers on the review steps. Keep records."
        "\n- Retest the reviews next quarter"
    )
    assert metrics.split_actions(ref) == [
        "Rewrite the access review procedure.",
        "Train all managers on the review steps.",
        "Retest the reviews next quarter",
    ]


def test_coverage_from_vectors_threshold() -> None:
    ref = [[1.0, 0.0], [0.0, 1.0], [math.sqrt(0.5), math.sqrt(0.5)]]
    drafted = [[1.0, 0.0]]
    # cosines: 1.0, 0.0, 0.707 -> with 0.7: 2 of 3 covered; with 0.8: 1 of 3
    assert metrics.coverage_from_vectors(ref, drafted, 0.7) == pytest.approx(2 / 3)
    assert metrics.coverage_from_vectors(ref, drafted, 0.8) == pytest.approx(1 / 3)
    assert metrics.coverage_from_vectors(ref, [], 0.5) == 0.0
    assert metrics.coverage_from_vectors([], drafted, 0.5) is None


def test_percentile_nearest_rank() -> None:
    assert metrics.percentile([5.0, 1.0, 3.0, 2.0, 4.0], 95) == 5.0
    assert metrics.percentile([5.0, 1.0, 3.0, 2.0, 4.0], 40) == 2.0
    assert metrics.percentile([], 50) is None
