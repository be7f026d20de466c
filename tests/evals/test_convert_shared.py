"""The shared dev file converter, on synthetic records shaped like that file (no shared text copied)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evals.cases import FixtureError
from evals.convert_shared import convert_lines, load_shared_dev


def _record(rid: str, **labels: Any) -> dict[str, Any]:
    base = {
        "primary_type": "control_gap",
        "annotator_primary": ["control_gap", "control_gap"],
        "acceptable_types": ["control_gap", "policy_noncompliance"],
        "root_causes": ["inadequate_monitoring"],
        "acceptable_root_causes": ["inadequate_monitoring", "human_error"],
        "cause_stated": True,
        "soc2_relevant": True,
        "agreement": "full",
    }
    base.update(labels)
    return {
        "id": rid,
        "source": "synthetic",
        "title": "  Grant monitoring  ",
        "control_ref": None,
        "finding_text": "The agency had no procedure to monitor grantees.",
        "context_text": "Grantees spent funds on unallowable costs.",
        "criteria_text": "Rules require monitoring.",
        "cause_text": "Staff did not review grantee reports.",
        "effect_text": "Unallowable costs could go unnoticed.",
        "recommendation_text": "Monitor grantees.",
        "management_response": "We agree and will add reviews.",
        "corrective_action_plan_text": "Add quarterly grantee report reviews. Train staff on monitoring.",
        "labels": base,
    }


def test_fields_and_labels_are_mapped() -> None:
    (case,) = convert_lines([json.dumps(_record("r1"))], source="dev")
    assert case.id == "r1"
    assert case.finding.text == "The agency had no procedure to monitor grantees."
    assert case.finding.title == "Grant monitoring"
    assert case.finding.context == "Grantees spent funds on unallowable costs."
    assert case.finding.management_response == "We agree and will add reviews."
    # The stated cause is the answer: it must not reach the analyzer.
    assert "did not review grantee reports" not in case.model_dump_json()
    assert case.expected.exception_type is not None and case.expected.exception_type.value == "control_gap"
    assert [t.value for t in case.expected.acceptable_types] == ["control_gap", "policy_noncompliance"]
    assert [c.value for c in case.expected.root_causes] == ["inadequate_monitoring"]
    assert [c.value for c in case.expected.acceptable_root_causes] == ["inadequate_monitoring", "human_error"]
    assert case.expected.plan_reference == "Add quarterly grantee report reviews. Train staff on monitoring."
    assert "agreement:full" in case.tags and "soc2_relevant" in case.tags


def test_split_label_and_no_stated_cause() -> None:
    rec = _record(
        "r2",
        primary_type=None,
        acceptable_types=["vendor_noncompliance", "control_gap"],
        cause_stated=False,
        root_causes=[],
        acceptable_root_causes=["human_error"],
        agreement="split",
    )
    del rec["context_text"]  # some records have no context field at all
    rec["corrective_action_plan_text"] = "   "
    (case,) = convert_lines([json.dumps(rec)], source="dev")
    assert case.expected.exception_type is None
    assert case.expected.acceptable_root_causes == []  # no stated cause: cause scoring skipped
    assert not case.expected.scores_root_causes
    assert case.finding.context is None and case.expected.plan_reference is None
    assert "no_cause" in case.tags


def test_bad_records_are_reported_by_line() -> None:
    bad_type = _record("r3", primary_type="made_up", acceptable_types=["made_up"])
    no_labels = {k: v for k, v in _record("r4").items() if k != "labels"}
    with pytest.raises(FixtureError) as err:
        convert_lines(
            [json.dumps(_record("r1")), json.dumps(bad_type), "", json.dumps(no_labels), "{oops"],
            source="dev",
        )
    msg = str(err.value)
    assert msg.startswith("dev: 3 record(s) could not be converted: line 2: expected.exception_type")
    assert "line 4: no `labels` object" in msg and "line 5: not valid JSON" in msg


def test_missing_shared_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="shared dev file not found"):
        load_shared_dev(tmp_path / "real-findings-dev.jsonl")
