"""The bundled sample reports: generated deterministically, parsed for real, every planted exception found."""

from __future__ import annotations

import sys

import pytest

from analyzer.models import FindingLayout
from ingestion.elements import Element
from ingestion.extract import extract_findings
from tests.ingestion.sample_docs import (
    CLASSIC_DOCX,
    EXAMPLES,
    SOC2_DOCX,
    SOC2_PDF,
    SOC2_TABLES_PDF,
    expected,
    parsed_samples,
    squash,
)

pytestmark = pytest.mark.slow  # parses four real files in a parser worker (about 10-40 s)


def _extract(name: str, org: str = "org-a", audit: str = "soc2-2025"):
    return extract_findings(parsed_samples()[name], org_id=org, audit_id=audit, document_id=f"doc-{name}")


def test_generator_is_deterministic_and_matches_the_committed_files(tmp_path):
    sys.path.insert(0, str(EXAMPLES))
    try:
        import make_samples
    finally:
        sys.path.remove(str(EXAMPLES))
    written = make_samples.build_all(tmp_path)
    assert len(written) == 7
    for path in written:
        assert path.read_bytes() == (EXAMPLES / path.name).read_bytes(), (
            f"{path.name} differs: rerun make_samples"
        )


@pytest.mark.parametrize("name", [SOC2_PDF.name, SOC2_TABLES_PDF.name, SOC2_DOCX.name])
def test_soc2_sample_yields_exactly_the_planted_exceptions(name):
    truth = expected()["soc2"]
    result = _extract(name)
    got = [
        (
            f.control_ref,
            squash(f.text),
            f.sample.model_dump() if f.sample else None,
            squash(f.management_response),
        )
        for f in result.findings
    ]
    want = [(e["control_ref"], e["text"], e["sample"], e["management_response"]) for e in truth["findings"]]
    assert got == want
    assert all(f.layout == FindingLayout.CONTROL_MATRIX for f in result.findings)
    assert all(f.control_description and f.test_performed and f.section for f in result.findings)
    assert [f.ordinal for f in result.findings] == list(range(len(want)))
    rec = result.reconciliation
    assert (rec.markers_found, rec.findings_extracted, rec.matched) == (len(want), len(want), True)
    assert rec.unmatched_markers == [] and rec.warnings == []


def test_soc2_sample_covers_the_required_breadth():
    truth = expected()["soc2"]
    refs = {f["control_ref"] for f in truth["findings"]}
    assert truth["controls"] >= 25 and len(refs) >= 6
    pdf = parsed_samples()[SOC2_PDF.name]
    rows = [e for e in pdf.elements if e.text.startswith("Control No.:")]
    assert len(rows) == truth["controls"]
    series = {e.text.split(":")[1].strip().rstrip("0123456789.") for e in rows}
    assert series == {"CC", "A", "C"}


def test_pdf_exception_split_by_a_page_break_is_read_whole():
    result = _extract(SOC2_PDF.name)
    cc81 = next(f for f in result.findings if f.control_ref == "CC8.1")
    pages = {
        e.page
        for e in parsed_samples()[SOC2_PDF.name].elements
        if e.category not in ("Header", "Footer") and e.text.strip() and e.text.strip() in cc81.text
    }
    # The CC8.1 result starts at the foot of one page and ends at the top of the next one.
    assert len(pages) == 2, pages
    assert cc81.page == min(pages)
    assert cc81.text.endswith("no retrospective approval was documented.")


def test_drawn_table_pdf_row_split_by_a_page_break_is_one_finding():
    parsed = parsed_samples()[SOC2_TABLES_PDF.name]
    assert not any(e.category == "Table" for e in parsed.elements)  # cells arrive as text blocks
    result = _extract(SOC2_TABLES_PDF.name)
    spanning = []
    for finding in result.findings:
        row = " ".join([finding.control_description or "", finding.test_performed or "", finding.text])
        pages = {
            e.page
            for e in parsed.elements
            if e.category not in ("Header", "Footer") and len(e.text) > 8 and e.text.strip() in row
        }
        if len(pages) > 1:
            spanning.append(finding.control_ref)
    assert spanning, "the sample should have an exception row cut by a page break"
    assert all(f.section and f.section.startswith(("Common Criteria", "Additional")) for f in result.findings)


def test_docx_row_continued_in_a_second_table_is_one_finding():
    result = _extract(SOC2_DOCX.name)
    cc81 = [f for f in result.findings if f.control_ref == "CC8.1"]
    assert len(cc81) == 1
    tables = [e for e in parsed_samples()[SOC2_DOCX.name].elements if e.category == "Table"]
    assert any("<td></td>" in (t.table_html or "") or "<td/>" in (t.table_html or "") for t in tables)
    assert cc81[0].control_description.endswith("branch protection prevents merging without approval.")


def test_ids_are_stable_unique_and_owned():
    first = _extract(SOC2_PDF.name)
    again = _extract(SOC2_PDF.name)
    other_org = _extract(SOC2_PDF.name, org="org-b")
    ids = [f.id for f in first.findings]
    assert ids == [f.id for f in again.findings]
    assert len(set(ids)) == len(ids)
    assert not set(ids) & {f.id for f in other_org.findings}
    assert not set(ids) & {f.id for f in _extract(SOC2_DOCX.name).findings}  # different content hash


def test_classic_sample_fills_every_field():
    truth = expected()["classic"]["findings"]
    result = _extract(CLASSIC_DOCX.name, audit="ia-2025-07")
    assert len(result.findings) == len(truth)
    for finding, want in zip(result.findings, truth, strict=True):
        assert finding.layout == FindingLayout.CLASSIC
        assert finding.title == want["title"]
        assert finding.control_ref == want["control_ref"]
        for name in (
            "text",
            "criteria",
            "cause",
            "effect",
            "recommendation",
            "context",
            "management_response",
        ):
            assert squash(getattr(finding, name)) == want[name], (want["number"], name)
        assert (finding.sample.model_dump() if finding.sample else None) == want["sample"]
        assert finding.section == "Detailed Findings"
    rec = result.reconciliation
    assert (rec.markers_found, rec.findings_extracted, rec.matched) == (4, 4, True)


def test_planted_unstructurable_exception_breaks_the_reconciliation_loudly(caplog):
    parsed = parsed_samples()[SOC2_PDF.name].model_copy(deep=True)
    planted = (
        "During the walkthrough of the payroll approval workflow an exception noted by the service auditor "
        "concerned approvals granted by the requester."
    )
    # Insert it on page 3 (management's assertion): a marker no control row accounts for.
    position = next(i for i, e in enumerate(parsed.elements) if e.page == 3 and e.category == "NarrativeText")
    parsed.elements.insert(position, Element(id="planted-1", category="NarrativeText", text=planted, page=3))
    result = extract_findings(parsed, org_id="org-a", audit_id="soc2-2025", document_id="doc")
    rec = result.reconciliation
    assert len(result.findings) == 8
    assert (rec.markers_found, rec.findings_extracted, rec.matched) == (9, 8, False)
    assert len(rec.unmatched_markers) == 1
    assert rec.unmatched_markers[0].page == 3
    assert "exception noted by the service auditor" in rec.unmatched_markers[0].snippet
    assert any("9 exception markers but 8 findings" in w for w in rec.warnings)
    assert any("exception noted by the service auditor" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("ref", [e["control_ref"] for e in expected()["soc2"]["findings"]])
@pytest.mark.parametrize(
    ("name", "row_start"), [(SOC2_PDF.name, "Control No.: "), (SOC2_TABLES_PDF.name, "")]
)
def test_every_exception_row_that_cannot_be_structured_is_reported(ref, name, row_start):
    parsed = parsed_samples()[name].model_copy(deep=True)
    # Losing the block that opens a row leaves its result without a row: the marker must still surface.
    lost = next(i for i, e in enumerate(parsed.elements) if e.text.strip() == f"{row_start}{ref}")
    del parsed.elements[lost]
    result = extract_findings(parsed, org_id="org-a", audit_id="soc2-2025", document_id="doc")
    rec = result.reconciliation
    assert ref not in {f.control_ref for f in result.findings}
    assert (rec.markers_found, rec.findings_extracted, rec.matched) == (8, 7, False)
    (missed,) = rec.unmatched_markers
    want = next(e for e in expected()["soc2"]["findings"] if e["control_ref"] == ref)
    assert want["text"][:60] in missed.snippet
    assert missed.page is not None
    assert f"management response for {ref} matches no extracted exception" in rec.warnings
