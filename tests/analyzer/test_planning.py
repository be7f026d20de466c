"""Plan drafting from the playbook: retest last, a step per cause, severity from sample facts, due dates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analyzer.errors import ConfigError
from analyzer.models import Finding, SampleFacts
from analyzer.planning import (
    assess_severity,
    control_owner_role,
    draft_plan,
    extract_sample_facts,
    plan_problems,
)
from analyzer.playbook import PLAYBOOK_PATH, load_playbook, render_playbook
from analyzer.taxonomy import ExceptionType, RootCause, Severity, StepCategory


def finding(text: str, **extra: Any) -> Finding:
    data: dict[str, Any] = {
        "id": "f",
        "org_id": "o",
        "audit_id": "a",
        "layout": "control_matrix",
        "text": text,
    }
    data.update(extra)
    return Finding.model_validate(data)


CAUSE_STEP: dict[RootCause, StepCategory] = {
    c: load_playbook().causes[c].steps[0].category for c in RootCause
}


@pytest.mark.parametrize("etype", list(ExceptionType), ids=lambda t: t.value)
def test_every_plan_ends_with_a_retest(etype: ExceptionType) -> None:
    plan = draft_plan(finding("Quarterly reviews were missed.", control_ref="CC4.1"), etype, [])
    assert plan.steps[-1].category is StepCategory.REASSESSMENT_RETEST
    assert "CC4.1" in plan.steps[-1].description
    assert sum(s.category is StepCategory.REASSESSMENT_RETEST for s in plan.steps) == 1
    assert plan_problems(plan, []) == []


@pytest.mark.parametrize(
    "causes",
    [
        [RootCause.HUMAN_ERROR],
        [RootCause.RESOURCE_CONSTRAINTS, RootCause.ORGANIZATIONAL_CHANGE],
        [
            RootCause.INSUFFICIENT_TRAINING,
            RootCause.VENDOR_NONCOMPLIANCE,
            RootCause.INADEQUATE_INCIDENT_RESPONSE,
        ],
        [RootCause.INADEQUATE_PLANNING, RootCause.LACK_OF_CONTROL_DOCUMENTATION],
        [RootCause.MISALIGNMENT_WITH_CRITERIA, RootCause.INADEQUATE_MONITORING],
    ],
)
def test_there_is_a_step_per_root_cause(causes: list[RootCause]) -> None:
    plan = draft_plan(
        finding("Access was not removed for 3 of 25 leavers."), ExceptionType.CONTROL_GAP, causes
    )
    body = plan.steps[:-1]
    for cause in causes:
        assert any(s.category is CAUSE_STEP[cause] for s in body), cause
    assert plan_problems(plan, causes) == []
    # Every cause is named in the summary, and no root-cause-analysis step when causes are known.
    assert all(c.value.replace("_", " ") in plan.summary for c in causes)
    assert StepCategory.ROOT_CAUSE_ANALYSIS not in {s.category for s in plan.steps}


def test_no_cause_means_a_root_cause_analysis_step_first() -> None:
    plan = draft_plan(finding("Reviews were late."), ExceptionType.OPERATING_INEFFECTIVENESS, [])
    assert plan.steps[0].category is StepCategory.ROOT_CAUSE_ANALYSIS
    assert "first confirm the cause" in plan.summary


def test_severity_reason_uses_sample_facts() -> None:
    low_rate = finding("For 2 of 25 changes sampled, approval was recorded after deployment.")
    severity, reason = assess_severity(low_rate, ExceptionType.OPERATING_INEFFECTIVENESS)
    assert severity is Severity.LOW
    assert reason.startswith("Low: 2 of 25 items tested (8%)")
    high_rate = finding("Nine of the 30 terminations sampled kept access for more than a week.")
    severity, reason = assess_severity(high_rate, ExceptionType.OPERATING_INEFFECTIVENESS)
    assert severity is Severity.HIGH
    assert "9 of 30 items tested (30%)" in reason


def test_stated_sample_facts_win_over_the_text() -> None:
    f = finding("Some reviews were late.", sample=SampleFacts(exceptions=1, sample_size=4, text="1 of 4"))
    severity, reason = assess_severity(f, ExceptionType.OPERATING_INEFFECTIVENESS)
    assert severity is Severity.HIGH and "1 of 4 items tested (25%)" in reason


def test_severity_by_type_and_signals() -> None:
    breach = finding("An attacker exfiltrated customer records.")
    assert assess_severity(breach, ExceptionType.DATA_BREACH_INCIDENT)[0] is Severity.CRITICAL
    gap = finding("No process existed to review firewall rules.")
    assert assess_severity(gap, ExceptionType.CONTROL_GAP)[0] is Severity.HIGH
    repeat = finding("Invoices lacked approval; this is a repeat finding from the prior audit.")
    severity, reason = assess_severity(repeat, ExceptionType.INSUFFICIENT_DOCUMENTATION)
    assert severity is Severity.HIGH and "repeat" in reason
    weakness = finding("The deficiency is a material weakness in internal control.")
    assert assess_severity(weakness, ExceptionType.POLICY_NONCOMPLIANCE)[0] is Severity.HIGH


def test_due_dates_follow_severity_and_increase() -> None:
    f = finding("No process existed.", control_ref="CC7.2")
    urgent = draft_plan(f, ExceptionType.DATA_BREACH_INCIDENT, [RootCause.INADEQUATE_INCIDENT_RESPONSE])
    calm = draft_plan(
        finding("For 1 of 40 tickets the approval was late."), ExceptionType.OPERATING_INEFFECTIVENESS
    )
    assert urgent.severity is Severity.CRITICAL and calm.severity is Severity.LOW
    assert urgent.steps[0].due_in_days < calm.steps[0].due_in_days
    for plan in (urgent, calm):
        dues = [s.due_in_days for s in plan.steps]
        assert dues == sorted(dues) and dues[-1] > dues[-2]
        assert all(0 <= d <= 730 for d in dues)


def test_steps_carry_the_finding_specifics() -> None:
    f = finding(
        "For 3 of 25 leavers, access was removed late.", control_ref="CC6.2", title="Late deprovisioning"
    )
    plan = draft_plan(f, ExceptionType.OPERATING_INEFFECTIVENESS, [RootCause.HUMAN_ERROR])
    text = " ".join(s.description for s in plan.steps)
    assert "control CC6.2" in text and "3 of 25" in text
    assert all("{" not in s.description for s in plan.steps)
    assert all(s.owner_role and s.evidence_of_completion for s in plan.steps)
    assert "IT Security Manager" in {s.owner_role for s in plan.steps}  # CC6 is logical access


@pytest.mark.parametrize(
    ("extra", "role"),
    [
        ({"control_ref": "CC8.1"}, "Engineering Manager"),
        ({"control_ref": "CC9.2"}, "Vendor Management Lead"),
        ({"text": "Subrecipient audit reports were not reviewed."}, "Grants Manager"),
        ({"text": "Payroll reconciliations were not signed."}, "Controller"),
        ({"text": "Something unusual happened."}, "Control Owner"),
    ],
)
def test_owner_role_from_control_area(extra: dict[str, Any], role: str) -> None:
    data = {"text": "x"} | extra
    assert control_owner_role(finding(**data)) == role


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("For 2 of 25 samples tested", (2, 25)),
        ("three out of the 40 expenditures", (3, 40)),
        ("In 1,200 of 10,000 claims", (1200, 10000)),
        ("30 of 2 is not a sample", None),
        ("no numbers here", None),
    ],
)
def test_sample_facts_are_read_from_text(text: str, expected: tuple[int, int] | None) -> None:
    facts = extract_sample_facts(text)
    got = None if facts is None else (facts.exceptions, facts.sample_size)
    assert got == expected


def test_plan_problems_spot_a_missing_retest_and_cause_step() -> None:
    plan = draft_plan(finding("Late."), ExceptionType.OPERATING_INEFFECTIVENESS, [RootCause.HUMAN_ERROR])
    broken = plan.model_copy(update={"steps": plan.steps[:-1]})
    assert "the last step must be a reassessment/retest step" in plan_problems(broken, [])
    assert plan_problems(plan, [RootCause.INSUFFICIENT_TRAINING]) == [
        "no step addresses root cause insufficient_training"
    ]


def test_playbook_is_complete_and_renders_stably() -> None:
    book = load_playbook()
    assert set(book.types) == set(ExceptionType) and set(book.causes) == set(RootCause)
    text = render_playbook()
    assert text == render_playbook(book)
    assert all(t.value in text for t in ExceptionType) and all(c.value in text for c in RootCause)
    narrow = render_playbook(types=[ExceptionType.CONTROL_GAP], causes=[RootCause.HUMAN_ERROR])
    assert "control_gap" in narrow and "vendor_noncompliance" not in narrow
    assert "Retest the control" in narrow


def test_a_broken_playbook_is_rejected_clearly(tmp_path: Path) -> None:
    text = PLAYBOOK_PATH.read_text(encoding="utf-8").replace("  human_error:\n", "  human_errorz:\n", 1)
    path = tmp_path / "pb.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pb\.yaml: invalid playbook"):
        load_playbook(path)
