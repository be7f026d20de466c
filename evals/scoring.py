"""Turn case runs into per-case scores and the run summary (the numbers of report.json)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analyzer.ports import Embedder
from evals import metrics
from evals.cases import EvalCase
from evals.runner import CaseRun

# The metrics every analyzer and every baseline is read on, and the ones the CI gate watches.
HEADLINE_METRICS: tuple[str, ...] = (
    "strict_type_accuracy",
    "lenient_type_accuracy",
    "type_macro_f1",
    "root_cause_precision",
    "root_cause_recall",
    "root_cause_f1",
)


# Slices reported separately when a suite tags its cases with them.
BREAKDOWN_TAGS: tuple[str, ...] = (
    "near_miss",
    "injection",
    "incident",
    "negligence",
    "split",
    "no_cause",
    "soc2_relevant",
    "agreement:full",
    "agreement:split",
    "reviewed",
    # Whether a case's finding or response also states its cause, or only the withheld cause section does:
    # the first slice is what a cause reader can reach, the second what no reader of the text can.
    "cause_in_text",
    "cause_hidden_only",
)


@dataclass(frozen=True)
class Prediction:
    """A bare prediction (type + causes): what baselines produce and what headline metrics need."""

    exception_type: str | None
    root_causes: tuple[str, ...] = ()


def headline(cases: Sequence[EvalCase], predictions: Sequence[Prediction]) -> dict[str, float | None]:
    """Type and root-cause headline metrics of predictions aligned with cases."""
    gold_pairs = [
        (c.expected.exception_type.value if c.expected.exception_type else None, p.exception_type)
        for c, p in zip(cases, predictions, strict=True)
    ]
    lenient = [
        ([t.value for t in c.expected.acceptable_types], p.exception_type)
        for c, p in zip(cases, predictions, strict=True)
    ]
    counts = [
        metrics.cause_counts(
            p.root_causes,
            [r.value for r in c.expected.root_causes],
            [r.value for r in c.expected.acceptable_root_causes],
        )
        for c, p in zip(cases, predictions, strict=True)
        if c.expected.scores_root_causes
    ]
    precision, recall, f1 = metrics.cause_prf(counts)
    return {
        "strict_type_accuracy": metrics.strict_type_accuracy(gold_pairs),
        "lenient_type_accuracy": metrics.lenient_type_accuracy(lenient),
        "type_macro_f1": metrics.type_macro_f1(gold_pairs),
        "root_cause_precision": precision,
        "root_cause_recall": recall,
        "root_cause_f1": f1,
    }


def prediction_of(run: CaseRun) -> Prediction:
    """The bare prediction of a run (no type and no causes for a failed case)."""
    return Prediction(run.predicted_type, tuple(run.predicted_causes))


def plan_coverages(
    embedder: Embedder | None, runs: Sequence[CaseRun], *, threshold: float
) -> list[float | None]:
    """Plan coverage of every run, embedding all reference actions and drafted steps in one batch."""
    if embedder is None:
        return [None] * len(runs)
    jobs: list[tuple[list[str], list[str]] | None] = []
    texts: dict[str, int] = {}
    for run in runs:
        ref = run.case.expected.plan_reference
        if not ref or run.analysis is None or run.analysis.action_plan is None or not run.ok:
            jobs.append(None)
            continue
        actions, steps = metrics.split_actions(ref), metrics.step_texts(run.analysis)
        if not actions:
            jobs.append(None)
            continue
        jobs.append((actions, steps))
        for text in (*actions, *steps):
            texts.setdefault(text, len(texts))
    # Drafted steps repeat a lot across cases; each distinct text is embedded once.
    vectors = embedder.embed_documents(list(texts)) if texts else []
    out: list[float | None] = []
    for job in jobs:
        if job is None:
            out.append(None)
            continue
        actions, steps = job
        out.append(
            metrics.coverage_from_vectors(
                [vectors[texts[a]] for a in actions], [vectors[texts[s]] for s in steps], threshold
            )
        )
    return out


def case_scores(run: CaseRun, coverage: float | None) -> dict[str, Any]:
    """Per-case scores (None marks a score that does not apply to the case)."""
    expected = run.case.expected
    pred = run.predicted_type
    scores: dict[str, Any] = {
        "strict_type_correct": (pred == expected.exception_type.value) if expected.exception_type else None,
        "lenient_type_correct": pred is not None and pred in {t.value for t in expected.acceptable_types},
        "root_cause_precision": None,
        "root_cause_recall": None,
        "plan_has_verification": None,
        "plan_step_per_cause": None,
        "plan_owner_and_due": None,
        "plan_coverage": coverage,
        "citations_valid": 0,
        "citations_total": 0,
        "schema_valid": run.analysis is not None and run.ok and metrics.schema_valid(run.analysis),
    }
    if expected.scores_root_causes:
        c = metrics.cause_counts(
            run.predicted_causes,
            [r.value for r in expected.root_causes],
            [r.value for r in expected.acceptable_root_causes],
        )
        scores["root_cause_precision"] = c.predicted_acceptable / c.predicted if c.predicted else None
        scores["root_cause_recall"] = c.required_found / c.required if c.required else None
    if run.analysis is not None and run.ok:
        checks = metrics.plan_checks(run.analysis)
        if checks is not None:
            scores["plan_has_verification"] = checks.has_verification
            scores["plan_step_per_cause"] = checks.step_per_cause
            scores["plan_owner_and_due"] = checks.owner_and_due
        scores["citations_valid"], scores["citations_total"] = metrics.citation_counts(run.analysis)
    return scores


def summarize(
    runs: Sequence[CaseRun],
    per_case: Sequence[Mapping[str, Any]],
    *,
    baselines: Mapping[str, Mapping[str, Any]],
    coverage_threshold: float,
) -> dict[str, Any]:
    """The run summary: fixed key names of the report, plus baselines read on the same headline metrics."""
    cases = [r.case for r in runs]
    gold_pairs = [
        (c.expected.exception_type.value if c.expected.exception_type else None, r.predicted_type)
        for c, r in zip(cases, runs, strict=True)
    ]
    top = headline(cases, [prediction_of(r) for r in runs])
    analyses = [r.analysis for r in runs if r.analysis is not None]
    plans = [s for s in per_case if s["plan_has_verification"] is not None]
    seconds = [r.seconds for r in runs]
    valid_citations = sum(int(s["citations_valid"]) for s in per_case)
    total_citations = sum(int(s["citations_total"]) for s in per_case)
    llm_calls = sum(a.provenance.llm_calls for a in analyses)
    coverage_values = [s["plan_coverage"] for s in per_case if s["plan_coverage"] is not None]
    summary: dict[str, Any] = {
        "cases": len(runs),
        "failed": sum(1 for r in runs if not r.ok),
        "strict_labelled_cases": sum(1 for g, _ in gold_pairs if g is not None),
        "root_cause_scored_cases": sum(1 for c in cases if c.expected.scores_root_causes),
        **top,
        "type_f1": metrics.per_type_f1(gold_pairs),
        "confusion_matrix": metrics.confusion_matrix(gold_pairs),
        "plan_rate": metrics.rate(s["plan_has_verification"] is not None for s in per_case),
        "plan_has_verification_rate": metrics.rate(bool(s["plan_has_verification"]) for s in plans),
        "plan_step_per_cause_rate": metrics.rate(bool(s["plan_step_per_cause"]) for s in plans),
        "plan_owner_due_rate": metrics.rate(bool(s["plan_owner_and_due"]) for s in plans),
        "plan_coverage": metrics.mean(coverage_values),
        "plan_coverage_cases": len(coverage_values),
        "plan_coverage_threshold": coverage_threshold,
        "citation_validity_rate": (valid_citations / total_citations) if total_citations else None,
        "citations_total": total_citations,
        "schema_valid_rate": metrics.rate(bool(s["schema_valid"]) for s in per_case),
        "llm_calls": llm_calls,
        "llm_calls_per_case": llm_calls / len(runs) if runs else None,
        "tokens_in": sum(a.provenance.tokens.input for a in analyses),
        "tokens_out": sum(a.provenance.tokens.output for a in analyses),
        "tokens_cached": sum(a.provenance.tokens.cached for a in analyses),
        "seconds_total": sum(seconds),
        "seconds_per_case": (sum(seconds) / len(seconds)) if seconds else None,
        "seconds_p95": metrics.percentile(seconds, 95),
        "by_tag": by_tag(runs),
        "baselines": {name: dict(values) for name, values in baselines.items()},
    }
    return summary


def by_tag(runs: Sequence[CaseRun]) -> dict[str, dict[str, Any]]:
    """Case count, type accuracies and root-cause scores of each breakdown tag present in the suite."""
    out: dict[str, dict[str, Any]] = {}
    for tag in BREAKDOWN_TAGS:
        subset = [r for r in runs if tag in r.case.tags]
        if not subset:
            continue
        top = headline([r.case for r in subset], [prediction_of(r) for r in subset])
        out[tag] = {
            "cases": len(subset),
            "strict_type_accuracy": top["strict_type_accuracy"],
            "lenient_type_accuracy": top["lenient_type_accuracy"],
            "root_cause_precision": top["root_cause_precision"],
            "root_cause_recall": top["root_cause_recall"],
            "root_cause_f1": top["root_cause_f1"],
        }
    return out
