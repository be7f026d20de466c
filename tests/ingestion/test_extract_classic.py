"""Classic condition / criteria / cause / effect / recommendation findings, including real public wording."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from analyzer.models import FindingLayout
from ingestion.extract import extract_findings
from tests.ingestion.sample_docs import doc, squash

REAL_FINDINGS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real-findings-dev.jsonl"


def _run(parsed):
    return extract_findings(parsed, org_id="org", audit_id="single-audit-2024", document_id="doc-1")


def test_numbered_findings_with_inline_and_standalone_labels():
    parsed = doc(
        ("Title", "Schedule of Findings and Questioned Costs", 12),
        ("Title", "2024-001 Reporting", 12),
        ("NarrativeText", "Federal program: Highway Planning and Construction", 12),
        ("NarrativeText", "Criteria: Reports must be supported by the ledger.", 12),
        ("NarrativeText", "Condition: Two of the four quarterly reports did not agree to the ledger.", 12),
        ("NarrativeText", "Cause: No secondary review.", 12),
        ("NarrativeText", "Effect or Potential Effect: Misstated reports.", 12),
        ("NarrativeText", "Questioned Costs: None.", 13),
        ("NarrativeText", "Recommendation: Add a review.", 13),
        ("NarrativeText", "Views of Responsible Officials: We agree and will add a review.", 13),
        ("Title", "Finding No. 2024-002: Procurement", 13),
        ("Title", "Condition", 13),
        ("NarrativeText", "A contract was awarded without a price analysis.", 13),
        ("NarrativeText", "The file held a single quote.", 14),
        ("Title", "Corrective Action Plan", 14),
        ("NarrativeText", "Procurement will document price analyses from March 2025.", 14),
    )
    result = _run(parsed)
    first, second = result.findings
    assert first.layout == second.layout == FindingLayout.CLASSIC
    assert (first.title, first.criteria, first.cause, first.effect) == (
        "Reporting",
        "Reports must be supported by the ledger.",
        "No secondary review.",
        "Misstated reports.",
    )
    assert first.text == "Two of the four quarterly reports did not agree to the ledger."
    assert (first.sample.exceptions, first.sample.sample_size) == (2, 4)
    assert first.recommendation == "Add a review."  # "Questioned Costs" is not mixed into the effect
    assert first.management_response == "We agree and will add a review."
    assert first.section == "Schedule of Findings and Questioned Costs"
    assert first.page == 12
    assert second.title == "Procurement"
    assert second.text == "A contract was awarded without a price analysis. The file held a single quote."
    assert second.management_response == "Procurement will document price analyses from March 2025."
    assert result.reconciliation.matched and result.reconciliation.markers_found == 2


def test_condition_labels_without_numbers_and_a_heading_without_labels():
    parsed = doc(
        ("Title", "Observations"),
        ("NarrativeText", "Condition: Backups are not encrypted."),
        ("NarrativeText", "Recommendation: Encrypt backups."),
        ("NarrativeText", "Condition: The DR plan is untested."),
        ("NarrativeText", "Management Response: A test is planned for May."),
        ("Title", "Finding 3 - Firewall rules"),
        ("NarrativeText", "Eleven firewall rules allow any source; none has a documented owner."),
    )
    result = _run(parsed)
    assert [f.text for f in result.findings] == [
        "Backups are not encrypted.",
        "The DR plan is untested.",
        "Eleven firewall rules allow any source; none has a documented owner.",
    ]
    assert result.findings[1].management_response == "A test is planned for May."
    assert result.findings[2].title == "Firewall rules"
    assert len({f.id for f in result.findings}) == 3
    assert result.reconciliation.matched and result.reconciliation.markers_found == 3


def test_heading_whose_finding_has_no_text_is_an_unmatched_marker():
    parsed = doc(("Title", "Finding 2025-009: Payroll overrides", 7), ("Title", "Appendix A", 8))
    result = _run(parsed)
    assert result.findings == []
    rec = result.reconciliation
    assert (rec.markers_found, rec.matched) == (1, False)
    assert rec.unmatched_markers[0].page == 7 and "2025-009" in rec.unmatched_markers[0].snippet


def _real_rows() -> list[dict]:
    if not REAL_FINDINGS.exists():
        pytest.skip(f"real public findings not available at {REAL_FINDINGS}")
    rows = [
        json.loads(line) for line in REAL_FINDINGS.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    return [r for r in rows if r.get("finding_text") and r.get("criteria_text") and r.get("cause_text")]


def test_real_single_audit_findings_laid_out_classically_are_extracted_verbatim():
    rows = _real_rows()
    assert len(rows) >= 10
    elements = [("Title", "Schedule of Findings and Responses")]
    for number, row in enumerate(rows, start=1):
        reference = re.findall(r"\d{4}-\d{3}", row["id"])
        elements.append(("Title", f"Finding {reference[-1] if reference else f'{number}'}: Finding {number}"))
        for label, key in (
            ("Criteria", "criteria_text"),
            ("Condition", "finding_text"),
            ("Cause", "cause_text"),
            ("Effect", "effect_text"),
            ("Recommendation", "recommendation_text"),
            ("Management's Response", "management_response"),
        ):
            if row.get(key):
                elements.append(("Title", label))
                elements.append(("NarrativeText", squash(row[key])))
    result = _run(doc(*elements))
    assert [f.text for f in result.findings] == [squash(r["finding_text"]) for r in rows]
    assert [f.cause for f in result.findings] == [squash(r["cause_text"]) for r in rows]
    assert [f.management_response for f in result.findings] == [
        squash(r.get("management_response")) for r in rows
    ]
    # Real conditions and responses say "exceptions noted" in prose: that is the same finding, not another.
    rec = result.reconciliation
    assert (rec.markers_found, rec.findings_extracted, rec.matched) == (len(rows), len(rows), True)


def test_a_sentence_starting_with_finding_and_a_number_is_not_a_heading():
    parsed = doc(
        ("Title", "Status of Prior Findings"),
        ("NarrativeText", "Finding 3 of the prior year report was resolved in March."),
        ("Title", "Finding 2025-004 Data retention"),
        ("NarrativeText", "Condition: Exports older than a year were not deleted."),
    )
    result = _run(parsed)
    assert [(f.title, f.text) for f in result.findings] == [
        ("Data retention", "Exports older than a year were not deleted.")
    ]
    assert result.reconciliation.markers_found == 1 and result.reconciliation.matched


def test_heading_repeated_as_continued_on_the_next_page_is_the_same_finding():
    parsed = doc(
        ("Title", "Finding 2024-003: Cash reconciliations", 4),
        ("NarrativeText", "Condition: Bank reconciliations for 5 of 12 months were prepared late and", 4),
        ("Title", "Finding 2024-003 (continued)", 5),
        ("NarrativeText", "none was reviewed by a second person.", 5),
        ("NarrativeText", "Recommendation: Review each reconciliation within ten days.", 5),
    )
    result = _run(parsed)
    (finding,) = result.findings
    assert finding.text == (
        "Bank reconciliations for 5 of 12 months were prepared late and none was reviewed by a second person."
    )
    assert finding.recommendation == "Review each reconciliation within ten days."
    assert result.reconciliation.markers_found == 1 and result.reconciliation.matched
