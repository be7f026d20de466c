"""Evaluate an analyzer over cases and write the report: report.json for machines, report.md for people."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analyzer.ports import Analyzer, Embedder
from analyzer.taxonomy import exception_type_ids
from evals import metrics
from evals.baselines import knn_baseline, majority_baseline
from evals.cases import EvalCase, atomic_write_text
from evals.runner import CaseRun, ProgressCallback, run_cases
from evals.scoring import HEADLINE_METRICS, case_scores, plan_coverages, summarize

REPORT_FORMAT_VERSION = 1


def _predicted(run: CaseRun) -> dict[str, Any]:
    """The `predicted` block of a case (empty values for a case whose analysis failed)."""
    a = run.analysis if run.ok else None
    return {
        "exception_type": run.predicted_type,
        "other_types": [t.value for t in a.other_types] if a else [],
        "root_causes": run.predicted_causes,
        "action_plan": a.action_plan.model_dump(mode="json") if a and a.action_plan else None,
        "confidence": a.confidence if a else None,
    }


def build_report(
    runs: Sequence[CaseRun],
    *,
    suite: str,
    analyzer_kind: str,
    embedder: Embedder | None,
    include_knn: bool = True,
    include_coverage: bool = True,
    coverage_threshold: float = metrics.PLAN_COVERAGE_THRESHOLD,
) -> dict[str, Any]:
    """Score the runs and assemble the report (`summary` + `cases`, with baselines from the same cases)."""
    cases = [r.case for r in runs]
    coverage_embedder = embedder if include_coverage else None
    coverages = plan_coverages(coverage_embedder, runs, threshold=coverage_threshold)
    per_case = [case_scores(r, cov) for r, cov in zip(runs, coverages, strict=True)]
    baselines = [majority_baseline(cases)]
    if include_knn and embedder is not None:
        knn = knn_baseline(cases, embedder)
        if knn is not None:
            baselines.append(knn)
    summary = summarize(
        runs,
        per_case,
        baselines={b.name: b.as_dict() for b in baselines},
        coverage_threshold=coverage_threshold,
    )
    provenance = next((r.analysis.provenance for r in runs if r.analysis is not None), None)
    return {
        "format_version": REPORT_FORMAT_VERSION,
        "suite": suite,
        "analyzer": analyzer_kind,
        "analyzer_version": provenance.analyzer_version if provenance else None,
        "model": provenance.model if provenance else None,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "definitions": _definitions(coverage_threshold),
        "summary": summary,
        "cases": [
            {
                "id": r.case.id,
                "tags": r.case.tags,
                "expected": r.case.expected.model_dump(mode="json", exclude={"plan_reference"}),
                "predicted": _predicted(r),
                "scores": s,
                "error": r.error,
                "seconds": round(r.seconds, 4),
            }
            for r, s in zip(runs, per_case, strict=True)
        ],
    }


def evaluate(
    analyzer: Analyzer,
    cases: Sequence[EvalCase],
    *,
    suite: str,
    embedder: Embedder | None,
    progress: ProgressCallback | None = None,
    include_knn: bool = True,
    include_coverage: bool = True,
) -> dict[str, Any]:
    """Run the analyzer over the cases and build the report (kNN baseline and plan coverage optional)."""
    runs = run_cases(analyzer, cases, progress=progress)
    return build_report(
        runs,
        suite=suite,
        analyzer_kind=analyzer.kind,
        embedder=embedder,
        include_knn=include_knn,
        include_coverage=include_coverage,
    )


def _definitions(threshold: float) -> dict[str, str]:
    return {
        "strict_type_accuracy": (
            "prediction == strict label, over cases with a strict label; failures are wrong"
        ),
        "lenient_type_accuracy": "prediction in acceptable_types, over all cases",
        "type_macro_f1": "mean per-type F1 over the 7 types present in labels or predictions",
        "root_cause_precision": "predicted causes that are acceptable / predicted causes (micro)",
        "root_cause_recall": "required causes predicted / required causes (micro)",
        "plan_coverage": (
            f"share of reference plan actions matched by a drafted step at cosine >= {threshold} "
            "(MiniLM embeddings), mean over cases with a reference"
        ),
        "citation_validity_rate": "cited chunk ids that were really retrieved / cited chunk ids",
        "schema_valid_rate": "status ok, a type and a plan, and the analysis re-validates against the schema",
    }


def write_json(report: dict[str, Any], path: Path) -> None:
    """Write report.json atomically."""
    atomic_write_text(path, json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


_SHORT = {
    "control_gap": "gap",
    "operating_ineffectiveness": "oper",
    "policy_noncompliance": "policy",
    "data_breach_incident": "breach",
    "insufficient_documentation": "docs",
    "vendor_noncompliance": "vendor",
    "employee_negligence": "people",
    "none": "none",
}


def render_markdown(report: dict[str, Any]) -> str:
    """report.md: headline metrics against the baselines, the confusion matrix, plan and cost numbers."""
    s = report["summary"]
    baselines: dict[str, dict[str, Any]] = s["baselines"]
    lines = [
        f"# Eval report: {report['suite']}",
        "",
        f"Analyzer `{report['analyzer']}` ({report.get('analyzer_version') or 'unknown version'}, "
        f"model {report.get('model') or 'n/a'}); {s['cases']} cases, {s['failed']} failed; "
        f"{s['strict_labelled_cases']} with a strict label, "
        f"{s['root_cause_scored_cases']} with a stated cause.",
        "",
        "## Headline metrics",
        "",
        "| metric | analyzer | " + " | ".join(baselines) + " |",
        "|---|---|" + "---|" * len(baselines),
    ]
    for name in HEADLINE_METRICS:
        row = [_fmt(s.get(name))] + [_fmt(b.get(name)) for b in baselines.values()]
        lines.append(f"| {name} | " + " | ".join(row) + " |")
    lines += ["", "Baselines:"]
    lines += [f"- **{name}**: {b['description']}" for name, b in baselines.items()]
    labels = exception_type_ids()
    cols = [*labels, "none"]
    lines += [
        "",
        "## Confusion matrix (rows: strict label, columns: prediction)",
        "",
        "| label \\ predicted | " + " | ".join(_SHORT[c] for c in cols) + " | F1 |",
        "|---|" + "---|" * (len(cols) + 1),
    ]
    for label in labels:
        row = s["confusion_matrix"][label]
        lines.append(
            f"| {label} | " + " | ".join(str(row[c]) for c in cols) + f" | {_fmt(s['type_f1'][label])} |"
        )
    if s.get("by_tag"):
        lines += [
            "",
            "## Slices",
            "",
            "| tag | cases | strict | lenient | cause P | cause R | cause F1 |",
            "|---|---|---|---|---|---|---|",
        ]
        for tag, row in s["by_tag"].items():
            lines.append(
                f"| {tag} | {row['cases']} | {_fmt(row['strict_type_accuracy'])} | "
                f"{_fmt(row['lenient_type_accuracy'])} | {_fmt(row.get('root_cause_precision'))} | "
                f"{_fmt(row.get('root_cause_recall'))} | {_fmt(row.get('root_cause_f1'))} |"
            )
    lines += [
        "",
        "## Plans, grounding and cost",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    for name in (
        "plan_rate",
        "plan_has_verification_rate",
        "plan_step_per_cause_rate",
        "plan_owner_due_rate",
        "plan_coverage",
        "plan_coverage_cases",
        "plan_coverage_threshold",
        "citation_validity_rate",
        "citations_total",
        "schema_valid_rate",
        "llm_calls",
        "tokens_in",
        "tokens_out",
        "tokens_cached",
        "seconds_per_case",
        "seconds_p95",
    ):
        lines.append(f"| {name} | {_fmt(s.get(name))} |")
    lines += ["", "## Definitions", ""]
    lines += [f"- `{k}`: {v}" for k, v in report["definitions"].items()]
    failed = [c for c in report["cases"] if c["error"]]
    if failed:
        lines += ["", "## Failed cases", ""]
        lines += [f"- `{c['id']}`: {c['error']}" for c in failed]
    return "\n".join(lines) + "\n"


def write_markdown(report: dict[str, Any], path: Path) -> None:
    """Write report.md atomically."""
    atomic_write_text(path, render_markdown(report))
