"""Runner, report and gate over a real (keyword) analyzer and the real MiniLM embedder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from analyzer.adapters.embeddings import MiniLMEmbedder
from evals import gate
from evals.cases import EvalCase
from evals.report import evaluate, render_markdown, write_json, write_markdown
from evals.runner import run_cases
from tests.evals.keyword_analyzer import KeywordAnalyzer


def _case(
    cid: str, text: str, etype: str | None, acceptable: list[str], causes: list[str], plan: str | None = None
) -> EvalCase:
    return EvalCase.model_validate(
        {
            "id": cid,
            "finding": {"text": text},
            "expected": {
                "exception_type": etype,
                "acceptable_types": acceptable,
                "root_causes": causes,
                "acceptable_root_causes": causes,
                "plan_reference": plan,
            },
            "tags": [],
        }
    )


CASES = [
    _case(
        "k1",
        "A vendor SOC 2 report was not obtained; no review of it by staff.",
        "vendor_noncompliance",
        ["vendor_noncompliance"],
        ["inadequate_monitoring", "resource_constraints"],
        plan="Obtain the vendor's SOC 2 report every year. Assign a staff member to review vendor reports.",
    ),
    _case(
        "k2",
        "There was no process for reviewing firewall rules.",
        "control_gap",
        ["control_gap"],
        ["lack_of_control_documentation"],
    ),
    _case(
        "k3",
        "Evidence of approval was missing for 3 changes.",
        None,
        ["insufficient_documentation", "operating_ineffectiveness"],
        [],
    ),
    _case(
        "k4", "RAISE-IN-ANALYZER please", "policy_noncompliance", ["policy_noncompliance"], ["human_error"]
    ),
    _case("k5", "return-failed-status", "operating_ineffectiveness", ["operating_ineffectiveness"], []),
]


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture(scope="module")
def report(embedder: MiniLMEmbedder) -> dict[str, Any]:
    seen: list[tuple[int, int, str]] = []
    rep = evaluate(
        KeywordAnalyzer(retrieved=("chunk-1",)),
        CASES,
        suite="unit",
        embedder=embedder,
        progress=lambda done, total, run: seen.append((done, total, run.case.id)),
    )
    assert seen == [(i + 1, 5, c.id) for i, c in enumerate(CASES)]
    return rep


def test_analyzer_failures_are_failed_cases_not_crashes() -> None:
    runs = run_cases(KeywordAnalyzer(), CASES)
    by_id = {r.case.id: r for r in runs}
    assert by_id["k4"].error == "RuntimeError: keyword analyzer was told to fail"
    assert by_id["k4"].predicted_type is None
    assert by_id["k5"].error == "no valid output" and by_id["k5"].analysis is not None
    assert by_id["k1"].ok and by_id["k1"].predicted_type == "vendor_noncompliance"


def test_report_has_the_fixed_keys_and_hand_checked_numbers(report: dict[str, Any]) -> None:
    summary = report["summary"]
    assert isinstance(summary, dict)
    fixed = {
        "cases",
        "failed",
        "strict_type_accuracy",
        "lenient_type_accuracy",
        "type_macro_f1",
        "confusion_matrix",
        "root_cause_precision",
        "root_cause_recall",
        "root_cause_f1",
        "plan_has_verification_rate",
        "plan_step_per_cause_rate",
        "plan_owner_due_rate",
        "plan_coverage",
        "plan_coverage_threshold",
        "citation_validity_rate",
        "schema_valid_rate",
        "llm_calls",
        "tokens_in",
        "tokens_out",
        "tokens_cached",
        "seconds_per_case",
        "baselines",
    }
    assert fixed <= set(summary)
    assert summary["cases"] == 5 and summary["failed"] == 2
    # keyword predictions: k1 vendor (right), k2 gap (right), k3 docs (lenient ok), k4/k5 failed.
    assert summary["strict_type_accuracy"] == pytest.approx(2 / 4)
    assert summary["lenient_type_accuracy"] == pytest.approx(3 / 5)
    # causes: k1 predicts monitoring ("review") + resources ("staff"): 2/2;
    # k2 predicts monitoring ("reviewing") vs documentation: 0/1; k4 failed: 0 of human_error.
    # precision 2/3, recall 2/4.
    assert summary["root_cause_precision"] == pytest.approx(2 / 3)
    assert summary["root_cause_recall"] == pytest.approx(2 / 4)
    assert summary["schema_valid_rate"] == pytest.approx(3 / 5)
    assert summary["citation_validity_rate"] == 1.0
    assert summary["llm_calls"] == 0
    assert 0.0 <= summary["plan_coverage"] <= 1.0 and summary["plan_coverage_cases"] == 1
    majority = summary["baselines"]["majority"]
    assert majority["strict_type_accuracy"] == pytest.approx(1 / 4)  # all four labels differ: tie -> first
    cases = report["cases"]
    assert isinstance(cases, list)
    for case in cases:
        assert {"id", "predicted", "scores", "error"} <= set(case)
        assert {"exception_type", "other_types", "root_causes", "action_plan", "confidence"} <= set(
            case["predicted"]
        )
    assert cases[3]["error"] and cases[3]["predicted"]["exception_type"] is None


def test_report_files(report: dict[str, Any], tmp_path: Path) -> None:
    write_json(report, tmp_path / "r.json")
    write_markdown(report, tmp_path / "r.md")
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["cases"] == 5
    md = (tmp_path / "r.md").read_text()
    assert "## Confusion matrix" in md and "| vendor_noncompliance |" in md
    assert "k4" in md  # failed cases are listed
    assert md == render_markdown(report)


def test_gate_passes_at_baseline_and_fails_on_a_drop(report: dict[str, Any], tmp_path: Path) -> None:
    baseline = gate.baseline_from_summary(report, tolerance=0.05)
    path = tmp_path / "b.json"
    gate.write_baseline(baseline, path)
    loaded = gate.load_baseline(path)
    summary = dict(report["summary"])
    assert all(c.passed for c in gate.check(summary, baseline=loaded))
    summary["strict_type_accuracy"] -= 0.04  # within tolerance
    assert all(c.passed for c in gate.check(summary, baseline=loaded))
    summary["strict_type_accuracy"] -= 0.02  # now 0.06 below
    failed = [c for c in gate.check(summary, baseline=loaded) if not c.passed]
    assert [c.metric for c in failed] == ["strict_type_accuracy"]
    assert failed[0].describe().startswith("FAIL: strict_type_accuracy")


def test_fail_under_rules() -> None:
    rules = gate.parse_fail_under(["lenient_type_accuracy=0.7"])
    checks = gate.check({"lenient_type_accuracy": 0.6}, fail_under=rules)
    assert [c.passed for c in checks] == [False]
    with pytest.raises(gate.GateError, match="expected metric=value"):
        gate.parse_fail_under(["oops"])
    with pytest.raises(gate.GateError, match="not a number"):
        gate.parse_fail_under(["x=high"])
    with pytest.raises(gate.GateError, match="no such metric"):
        gate.check({}, fail_under={"nope": 0.1})


def test_bad_baseline_file(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text('{"suite": "s"}')
    with pytest.raises(gate.GateError, match="invalid baseline file"):
        gate.load_baseline(path)


def _tagged(cid: str, text: str, cause: str, tag: str) -> EvalCase:
    base = _case(cid, text, None, ["operating_ineffectiveness"], [cause]).model_dump(mode="json")
    return EvalCase.model_validate({**base, "tags": [tag]})


def test_cause_slices_separate_causes_the_text_states_from_withheld_ones() -> None:
    from evals.scoring import by_tag

    stated = _tagged("s1", "Clerks had no training on the review.", "insufficient_training", "cause_in_text")
    withheld = _tagged("s2", "Two changes lacked approval.", "resource_constraints", "cause_hidden_only")
    slices = by_tag(run_cases(KeywordAnalyzer(), [stated, withheld]))
    # "training" and "review" are both keywords: one right cause and one wrong one in the stated slice.
    assert slices["cause_in_text"]["root_cause_recall"] == 1.0
    assert slices["cause_in_text"]["root_cause_precision"] == 0.5
    assert slices["cause_hidden_only"]["root_cause_recall"] == 0.0
    assert slices["cause_hidden_only"]["cases"] == 1
