"""Structured finding imports: header auto-detection, explicit mapping, per-row errors, dry run, formats."""

from __future__ import annotations

import json

import pytest
from openpyxl import Workbook

from analyzer.errors import IngestionError
from analyzer.models import FindingLayout
from ingestion.extract import FindingInput, NotAFindingsList, findings_from_inputs, import_findings
from ingestion.extract.sample_facts import parse_sample
from tests.ingestion.sample_docs import IMPORT_CSV, IMPORT_JSON, expected


def test_sample_csv_imports_good_rows_and_reports_the_bad_one():
    truth = expected()["import"]
    result = import_findings(IMPORT_CSV, org_id="org", audit_id="audit-2024", mapping=None, dry_run=False)
    assert result.columns == {
        "Finding ID": "external_id",
        "Title": "title",
        "Condition": "text",
        "Criteria Ref": "control_ref",
        "Sample": "sample",
        "Corrective Action Plan": "management_response",
    }
    assert [f.control_ref for f in result.findings] == truth["control_refs"]  # PP1.2 arrives as PI1.2
    assert [(e.row, e.reason) for e in result.errors] == [
        (4, "text (column 'Condition') is missing or empty")
    ]
    assert result.rows_read == truth["rows"]
    assert all(f.layout == FindingLayout.IMPORT and f.document == IMPORT_CSV.name for f in result.findings)
    first = result.findings[0]
    assert (first.sample.exceptions, first.sample.sample_size) == (7, 52)
    assert first.management_response.startswith("Service accounts will be assigned owners")
    rec = result.reconciliation
    assert (rec.markers_found, rec.findings_extracted, rec.matched) == (5, 4, False)
    assert rec.unmatched_markers[0].snippet.startswith("row 4:")


def test_dry_run_returns_the_same_findings_and_ids_are_stable():
    real = import_findings(IMPORT_CSV, org_id="org", audit_id="a", mapping=None, dry_run=False)
    dry = import_findings(IMPORT_CSV, org_id="org", audit_id="a", mapping=None, dry_run=True)
    assert dry.dry_run is True and real.dry_run is False
    assert [f.model_dump() for f in dry.findings] == [f.model_dump() for f in real.findings]
    assert len({f.id for f in real.findings}) == 4


def test_explicit_mapping_overrides_detection(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text(
        "Issue Text;Criteria;Owner Plan\n"
        "Unreviewed firewall change on 3 of 9 devices.;CC6.6;Review weekly.\n",
        encoding="utf-8",
    )
    with pytest.raises(NotAFindingsList, match="no column holds the finding text"):
        import_findings(path, org_id="o", audit_id="a", mapping=None, dry_run=True)
    result = import_findings(
        path,
        org_id="o",
        audit_id="a",
        mapping={"issue text": "text", "Criteria": "control_ref", "Owner Plan": "management_response"},
        dry_run=True,
    )
    (finding,) = result.findings
    assert (finding.text, finding.control_ref, finding.management_response) == (
        "Unreviewed firewall change on 3 of 9 devices.",
        "CC6.6",
        "Review weekly.",
    )
    assert finding.criteria is None and finding.sample.text == "3 of 9"
    with pytest.raises(IngestionError, match="'Nope' is not in the file"):
        import_findings(path, org_id="o", audit_id="a", mapping={"Nope": "text"}, dry_run=True)
    with pytest.raises(IngestionError, match="'severity' is not a finding field"):
        import_findings(path, org_id="o", audit_id="a", mapping={"Criteria": "severity"}, dry_run=True)


def test_xlsx_with_a_title_row_gap_and_numeric_cells(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([])
    sheet.append(["Finding No", "Exception", "Control", "Management's Response", "Page"])
    sheet.append([1, "Two of five vendor reviews were late.", "cc9.2", "Reviews are calendared.", 14])
    sheet.append([2, None, "CC9.1", "n/a", 15])
    path = tmp_path / "list.xlsx"
    workbook.save(path)
    result = import_findings(path, org_id="o", audit_id="a", mapping=None, dry_run=False)
    (finding,) = result.findings
    assert (finding.control_ref, finding.page, finding.sample.exceptions) == ("CC9.2", 14, 2)
    assert [(e.row, e.reason) for e in result.errors] == [
        (4, "text (column 'Exception') is missing or empty")
    ]


def test_json_in_the_api_shape_and_bad_items(tmp_path):
    good = import_findings(IMPORT_JSON, org_id="o", audit_id="a", mapping=None, dry_run=True)
    assert len(good.findings) == 4 and good.errors == [] and good.reconciliation.matched
    path = tmp_path / "findings.json"
    path.write_text(
        json.dumps(
            {
                "findings": [
                    {"text": "Encryption at rest disabled on one bucket.", "control_ref": "C1.1"},
                    {"title": "No text"},
                    "just a string",
                    {"text": "Late review.", "severity": "high"},
                ]
            }
        ),
        encoding="utf-8",
    )
    result = import_findings(path, org_id="o", audit_id="a", mapping=None, dry_run=True)
    assert [f.control_ref for f in result.findings] == ["C1.1"]
    reasons = {e.row: e.reason for e in result.errors}
    assert reasons[2] == "text is missing or empty"
    assert reasons[3] == "item is a str, not an object"
    assert "severity" in reasons[4]


def test_findings_from_inputs_for_api_callers():
    items = [(1, FindingInput(text="Logs kept 30 days.", control_ref="PP1.4")), (2, {"text": ""})]
    findings, errors = findings_from_inputs(items, org_id="o", audit_id="a", source="api:req-1")
    assert [f.control_ref for f in findings] == ["PI1.4"]
    assert [(e.row, e.reason) for e in errors] == [(2, "text is missing or empty")]


def test_whole_file_errors_name_the_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(IngestionError, match=r"empty\.csv: file is empty"):
        import_findings(empty, org_id="o", audit_id="a", mapping=None, dry_run=True)
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    with pytest.raises(IngestionError, match=r"broken\.json: not valid JSON"):
        import_findings(broken, org_id="o", audit_id="a", mapping=None, dry_run=True)


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("For 2 of 25 terminated users", (2, 25, "2 of 25")),
        ("in two (2) of twenty-five (25) cases", (2, 25, "two (2) of twenty-five (25)")),
        ("Five of 31 changes", (5, 31, "Five of 31")),
        ("1 out of 30 alerts", (1, 30, "1 out of 30")),
        ("see page 3 of 12", None),
        ("None of the 14 contractors", None),
        ("30 of 4 items", None),
    ],
)
def test_sample_facts(text, facts):
    parsed = parse_sample(text)
    assert (None if parsed is None else (parsed.exceptions, parsed.sample_size, parsed.text)) == facts


def test_control_matrix_sheet_imports_only_the_exceptions(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Control No.", "Control Activity", "Tests Performed", "Results of Tests"])
    sheet.append(["CC6.1", "MFA enforced.", "Inspected policy.", "No exceptions noted."])
    sheet.append(["CC6.2", "Leavers removed in a day.", "Compared lists.", "Exception noted. 2 of 25 late."])
    sheet.append(["CC6.3", "Quarterly review.", "Inspected reviews.", "No deviations were noted"])
    path = tmp_path / "matrix.xlsx"
    workbook.save(path)
    result = import_findings(path, org_id="o", audit_id="a", mapping=None, dry_run=True)
    assert [(f.control_ref, f.control_description, f.test_performed) for f in result.findings] == [
        ("CC6.2", "Leavers removed in a day.", "Compared lists.")
    ]
    assert (result.rows_read, result.passed_rows, result.errors) == (3, 2, [])
    rec = result.reconciliation
    assert (rec.markers_found, rec.findings_extracted, rec.matched) == (1, 1, True)
