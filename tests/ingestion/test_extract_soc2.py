"""Control-matrix extraction on hand-built parsed documents: text rows, tables, page breaks, responses."""

from __future__ import annotations

from ingestion.extract import extract_findings
from tests.ingestion.sample_docs import doc, table

HEADER = ["Control #", "Control Activity", "Test Applied by the Service Auditor", "Test Results"]


def _run(parsed):
    return extract_findings(parsed, org_id="org", audit_id="audit", document_id="doc-1")


def test_text_rows_across_a_page_break_with_unlabelled_running_headers():
    parsed = doc(
        ("Title", "Section IV: Tests of Controls", 4),
        ("Title", "CC6 Logical Access", 4),
        ("Title", "Control No.: CC6.1", 4),
        ("NarrativeText", "Control Activity: MFA is enforced.", 4),
        ("NarrativeText", "Tests Performed: Inspected configuration.", 4),
        ("NarrativeText", "Results of Tests: No exceptions noted.", 4),
        ("Title", "Control No.: CC6.2", 4),
        ("NarrativeText", "Control Activity: Leavers lose access within one day.", 4),
        ("NarrativeText", "Tests Performed: Compared HR and IdP lists.", 4),
        ("NarrativeText", "Results of Tests: Exceptions noted. For three (3) of the thirty (30) leavers", 4),
        ("UncategorizedText", "Example Co | SOC 2 report", 4),  # running footer the parser did not tag
        ("UncategorizedText", "Example Co | SOC 2 report", 5),
        ("NarrativeText", "sampled, access was removed after five days.", 5),
        ("Title", "Control No.: CC6.3", 5),
        ("NarrativeText", "Control Activity: Access is reviewed quarterly.", 5),
        ("NarrativeText", "Tests Performed: Inspected reviews.", 5),
        ("NarrativeText", "Results of Tests: No exceptions noted.", 5),
        ("NarrativeText", "The remaining criteria were tested by inquiry.", 5),
        ("UncategorizedText", "Example Co | SOC 2 report", 5),
        ("UncategorizedText", "Example Co | SOC 2 report", 6),
        ("Title", "Section V: Other Information", 6),
        ("UncategorizedText", "Example Co | SOC 2 report", 6),
    )
    result = _run(parsed)
    assert [f.control_ref for f in result.findings] == ["CC6.2"]
    finding = result.findings[0]
    assert finding.text == (
        "Exceptions noted. For three (3) of the thirty (30) leavers sampled, access was removed after "
        "five days."
    )
    assert (finding.sample.exceptions, finding.sample.sample_size) == (3, 30)
    assert finding.page == 4
    assert finding.section == "CC6 Logical Access"
    assert finding.control_description == "Leavers lose access within one day."
    assert result.reconciliation.matched


def test_table_rows_continuation_table_without_header_and_inline_response_column():
    header = [*HEADER, "Management Response"]
    parsed = doc(
        ("Title", "CC8 Change Management", 9),
        (
            "Table",
            table(
                header,
                ["CC8.1", "Peer review before merge.", "Inspected 25 changes.", "No exceptions noted."],
                [
                    "CC8.1",
                    "Emergency changes approved.",
                    "Inspected 10 emergency",
                    "Deviation noted. 2 of 10",
                ],
            ),
            9,
        ),
        # Next page: the cut row goes on in a table without a header row; its first cell is empty.
        (
            "Table",
            table(["", "within a day.", "changes.", "emergency changes lacked approval.", "Agreed."]),
            10,
        ),
        (
            "Table",
            table(["CC8.2", "Rollback tested.", "Inspected a test.", "No deviations were noted", ""]),
            10,
        ),
    )
    result = _run(parsed)
    assert len(result.findings) == 1
    finding = result.findings[0]
    assert finding.control_ref == "CC8.1"
    assert finding.text == "Deviation noted. 2 of 10 emergency changes lacked approval."
    assert finding.control_description == "Emergency changes approved. within a day."
    assert finding.test_performed == "Inspected 10 emergency changes."
    assert finding.management_response == "Agreed."
    assert finding.page == 9
    rec = result.reconciliation
    assert (rec.markers_found, rec.findings_extracted, rec.matched) == (1, 1, True)


def test_responses_section_is_matched_by_control_ref_and_not_counted_as_markers():
    parsed = doc(
        (
            "Table",
            table(HEADER, ["CC7.2", "Alerts triaged.", "Inspected 15.", "Exception noted. 1 of 15 late."]),
        ),
        ("Table", table(HEADER, ["PP1.2", "Outputs reconciled.", "Inspected 5.", "Exceptions noted."])),
        ("Title", "Management's Response to Exceptions Noted"),
        ("NarrativeText", "CC7.2 – The exception noted was caused by a holiday rota gap."),
        ("NarrativeText", "A backup analyst is now scheduled."),
        ("NarrativeText", "Control No. PI1.2: Management's response: reconciliation is now automated."),
    )
    result = _run(parsed)
    by_ref = {f.control_ref: f for f in result.findings}
    assert set(by_ref) == {"CC7.2", "PI1.2"}  # PP1.2 is the old name of PI1.2
    assert by_ref["CC7.2"].management_response == (
        "The exception noted was caused by a holiday rota gap. A backup analyst is now scheduled."
    )
    assert by_ref["PI1.2"].management_response == "reconciliation is now automated."
    rec = result.reconciliation
    assert (rec.markers_found, rec.matched) == (2, True)  # "exception noted" inside the responses is not one


def test_same_control_ref_twice_gets_distinct_stable_ids_and_unmatched_response_warns():
    rows = [
        ["CC6.3", "Quarterly review.", "Inspected Q1-Q4.", "Exception noted. 1 of 4 reviews missing."],
        ["CC6.3", "Removal within 5 days.", "Inspected 20.", "Exception noted. 2 of 20 removals late."],
    ]
    parsed = doc(
        ("Table", table(HEADER, *rows)),
        ("Title", "Management's Responses to Exceptions"),
        ("Table", table(["Control", "Management's response"], ["CC6.3", "Fixed."], ["CC9.9", "Orphan."])),
    )
    first, second = _run(parsed), _run(parsed)
    ids = [f.id for f in first.findings]
    assert ids == [f.id for f in second.findings] and len(set(ids)) == 2
    assert [f.management_response for f in first.findings] == ["Fixed.", "Fixed."]
    assert first.reconciliation.matched is False
    assert first.reconciliation.warnings == ["management response for CC9.9 matches no extracted exception"]
    moved = doc(("Title", "Intro"), ("Table", table(HEADER, *rows)), content_hash="h" * 64)
    # Ids depend on content hash and finding key, not on element ids or positions of unrelated text.
    assert [f.id for f in _run(moved).findings] == ids


def test_result_text_that_is_not_no_exceptions_is_a_finding_even_without_the_word_exception():
    parsed = doc(
        ("Title", "Control No.: A1.2"),
        ("NarrativeText", "Control Activity: Restores are tested."),
        (
            "NarrativeText",
            "Results of Tests: The control did not operate during the period; no restores ran.",
        ),
    )
    result = _run(parsed)
    assert [f.control_ref for f in result.findings] == ["A1.2"]
    assert result.reconciliation.matched


def test_planted_marker_in_prose_is_reported_with_page_and_snippet():
    parsed = doc(
        ("Title", "Section III: Description of the System", 3),
        ("NarrativeText", "Payroll runs nightly.", 3),
        ("NarrativeText", "In one case an exception was noted in the payroll approval walkthrough.", 3),
        ("Table", table(HEADER, ["CC1.1", "Code of conduct.", "Inspected 25.", "No exceptions noted."]), 4),
    )
    result = _run(parsed)
    rec = result.reconciliation
    assert result.findings == []
    assert (rec.markers_found, rec.findings_extracted, rec.matched) == (1, 0, False)
    assert rec.unmatched_markers[0].page == 3
    assert "exception was noted in the payroll approval walkthrough" in rec.unmatched_markers[0].snippet


def test_no_exceptions_wording_variants_are_not_markers():
    parsed = doc(
        ("NarrativeText", "No exceptions noted."),
        ("NarrativeText", "No deviations were noted during testing."),
        ("NarrativeText", "Results of Tests: None noted."),
        ("Table", table(HEADER, ["CC2.1", "Metrics.", "Inspected.", "N/A"], ["CC2.2", "T.", "I.", ""])),
    )
    result = _run(parsed)
    assert result.findings == []
    assert result.reconciliation.markers_found == 0 and result.reconciliation.matched


def test_drawn_table_cells_arriving_as_separate_blocks():
    parsed = doc(
        ("Title", "CC6 Logical Access", 7),
        ("Title", "Control No.", 7),
        ("Title", "Control Activity", 7),
        ("Title", "Tests Performed", 7),
        ("Title", "Results of Tests", 7),
        ("UncategorizedText", "CC6.1", 7),
        ("Title", "MFA is enforced for", 7),  # one cell cut in two by a style change
        ("NarrativeText", "production access.", 7),
        ("NarrativeText", "Inspected the IdP policy.", 7),
        ("NarrativeText", "No exceptions noted.", 7),
        ("UncategorizedText", "CC6.2", 7),
        ("NarrativeText", "Leavers lose access in one day.", 7),
        ("NarrativeText", "Compared HR and IdP lists for 25 leavers.", 7),
        ("NarrativeText", "Exceptions noted. For 2 of 25 leavers sampled, access", 7),
        # page break: the header row repeats, then the cut cell goes on
        ("Title", "Control No.", 8),
        ("Title", "Control Activity", 8),
        ("Title", "Tests Performed", 8),
        ("Title", "Results of Tests", 8),
        ("NarrativeText", "stayed active for a week.", 8),
        ("UncategorizedText", "CC6.3", 8),
        ("NarrativeText", "Access is reviewed quarterly.", 8),
        ("NarrativeText", "Inspected the four reviews.", 8),
        ("NarrativeText", "No exceptions noted.", 8),
        ("Title", "CC7 System Operations", 8),
        ("Title", "Section V: Management's Response to Exceptions", 9),
        ("NarrativeText", "CC6.2", 9),
        ("NarrativeText", "Offboarding is now automated.", 9),
    )
    result = _run(parsed)
    (finding,) = result.findings
    assert finding.control_ref == "CC6.2"
    assert finding.control_description == "Leavers lose access in one day."
    assert finding.test_performed == "Compared HR and IdP lists for 25 leavers."
    assert finding.text == "Exceptions noted. For 2 of 25 leavers sampled, access stayed active for a week."
    assert (finding.page, finding.section) == (7, "CC6 Logical Access")
    assert finding.management_response == "Offboarding is now automated."
    assert result.reconciliation.matched


def test_labelled_rows_with_several_tests_of_one_control():
    parsed = doc(
        ("Title", "Control No.: CC8.1", 6),
        ("NarrativeText", "Control Activity: Changes are approved before deployment.", 6),
        ("NarrativeText", "Tests Performed: Inspected the branch protection settings.", 6),
        ("NarrativeText", "Results of Tests: No exceptions noted.", 6),
        ("NarrativeText", "Tests Performed: Inspected 40 changes for an approval.", 6),
        ("NarrativeText", "Results of Tests: Exceptions noted. 3 of 40 changes had no approval.", 6),
        ("Title", "Control No.: CC8.2", 6),
        ("NarrativeText", "Control Activity: Emergency changes are reviewed afterwards.", 6),
        ("NarrativeText", "Tests Performed: Inspected the two emergency changes.", 6),
        ("NarrativeText", "Results of Tests: No exceptions noted.", 6),
    )
    result = _run(parsed)
    (finding,) = result.findings
    assert (finding.control_ref, finding.control_description, finding.test_performed) == (
        "CC8.1",
        "Changes are approved before deployment.",
        "Inspected 40 changes for an approval.",
    )
    assert finding.text == "Exceptions noted. 3 of 40 changes had no approval."
    assert result.reconciliation.matched


def test_drawn_cells_of_a_control_merged_over_several_tests():
    # In a PDF the merged control cell is drawn once: the later tests of the control follow its last
    # result with no reference of their own.
    parsed = doc(
        ("Title", "Control No.", 7),
        ("Title", "Control Activity", 7),
        ("Title", "Tests Performed", 7),
        ("Title", "Results of Tests", 7),
        ("UncategorizedText", "CC7.2", 7),
        ("NarrativeText", "Security alerts are triaged within a day.", 7),
        ("NarrativeText", "Inspected the alerting rules for changes.", 7),
        ("NarrativeText", "No exceptions noted.", 7),
        ("NarrativeText", "Inspected 30 alerts for triage within a day.", 7),
        ("NarrativeText", "Exception noted. 3 of 30 alerts were triaged after four days.", 7),
        ("NarrativeText", "Inspected the on-call roster for every week.", 7),
        ("NarrativeText", "Exception noted. The roster had no engineer for 2 of 52 weeks.", 7),
        ("UncategorizedText", "CC7.3", 7),
        ("NarrativeText", "Incidents are closed with a review.", 7),
        ("NarrativeText", "Inspected the five incident reviews.", 7),
        ("NarrativeText", "No exceptions noted.", 7),
    )
    result = _run(parsed)
    assert [(f.control_ref, f.control_description, f.test_performed, f.text) for f in result.findings] == [
        (
            "CC7.2",
            "Security alerts are triaged within a day.",
            "Inspected 30 alerts for triage within a day.",
            "Exception noted. 3 of 30 alerts were triaged after four days.",
        ),
        (
            "CC7.2",
            "Security alerts are triaged within a day.",
            "Inspected the on-call roster for every week.",
            "Exception noted. The roster had no engineer for 2 of 52 weeks.",
        ),
    ]
    rec = result.reconciliation
    assert (rec.markers_found, rec.findings_extracted, rec.matched) == (2, 2, True)


def test_rows_opened_by_a_bare_reference_in_labelled_text():
    parsed = doc(
        ("Title", "CC9.2", 3),
        ("NarrativeText", "Control activity: Vendor SOC reports are reviewed yearly.", 3),
        ("NarrativeText", "Test performed: Inspected reviews for 6 vendors.", 3),
        ("NarrativeText", "Test results: Exception noted. 1 of 6 reviews was not done.", 3),
        ("NarrativeText", "CC9.1 Control activity: Insurance is reviewed yearly.", 3),
        ("NarrativeText", "Test results: No exceptions noted.", 3),
        ("NarrativeText", "CC9.1: The entity identifies and assesses risks from business disruption.", 3),
    )
    result = _run(parsed)
    assert [(f.control_ref, f.text) for f in result.findings] == [
        ("CC9.2", "Exception noted. 1 of 6 reviews was not done.")
    ]
    assert result.findings[0].control_description == "Vendor SOC reports are reviewed yearly."
    assert result.reconciliation.matched


def test_matrix_under_a_title_row_with_a_two_row_header_and_merged_cells():
    # As Word tables come out of the parser: a criteria title spanning the table, the column labels
    # written over two rows, and one control cell merged down over two test rows.
    markup = (
        '<table><tr><td colspan="4">CC6.0 Logical and Physical Access Controls</td></tr>'
        "<tr><td>Control</td><td>Control Activity</td><td>Tests Performed</td><td>Results</td></tr>"
        "<tr><td>No.</td><td>Specified by the Service Organization</td><td>by the Service Auditor</td>"
        "<td>of Tests</td></tr>"
        "<tr><td>CC6.1</td><td>Access requires MFA.</td><td>Inspected MFA settings.</td>"
        "<td>No exceptions noted.</td></tr>"
        '<tr><td rowspan="2">CC6.2</td><td rowspan="2">New access is approved.</td>'
        "<td>Inspected 25 new users.</td><td>Exception noted. For 2 of 25 new users, no approval.</td></tr>"
        "<tr><td>Inspected the quarterly review.</td><td>No exceptions noted.</td></tr>"
        "<tr><td>CC6.3</td><td>Leavers lose access in a day.</td><td>Inspected 20 leavers.</td>"
        "<td>Exception noted. 1 of 20 leavers kept access for a week.</td></tr></table>"
    )
    result = _run(doc(("Title", "Section IV: Tests of Controls", 5), ("Table", markup, 5)))
    assert [(f.control_ref, f.text) for f in result.findings] == [
        ("CC6.2", "Exception noted. For 2 of 25 new users, no approval."),
        ("CC6.3", "Exception noted. 1 of 20 leavers kept access for a week."),
    ]
    merged = result.findings[0]
    assert merged.control_description == "New access is approved."
    assert merged.test_performed == "Inspected 25 new users."  # the passed test is not part of it
    assert merged.sample is not None and (merged.sample.exceptions, merged.sample.sample_size) == (2, 25)
    rec = result.reconciliation
    assert (rec.markers_found, rec.findings_extracted, rec.matched) == (2, 2, True)


def test_each_failed_test_under_one_merged_control_cell_is_its_own_finding():
    markup = (
        "<table><tr><td>Control No.</td><td>Control Activity</td><td>Tests Performed</td>"
        "<td>Results of Tests</td></tr>"
        '<tr><td rowspan="3">CC7.2</td><td rowspan="3">Security alerts are triaged within a day.</td>'
        "<td>Inspected 30 alerts for triage within a day.</td>"
        "<td>Exception noted. 3 of 30 alerts were triaged after four days.</td></tr>"
        "<tr><td>Inspected the alerting rules for changes.</td><td>No exceptions noted.</td></tr>"
        "<tr><td>Inspected the on-call roster for every week.</td>"
        "<td>Exception noted. The roster had no engineer for 2 of 52 weeks.</td></tr></table>"
    )
    result = _run(doc(("Title", "Section IV: Tests of Controls", 7), ("Table", markup, 7)))
    assert [(f.control_ref, f.test_performed, f.text) for f in result.findings] == [
        (
            "CC7.2",
            "Inspected 30 alerts for triage within a day.",
            "Exception noted. 3 of 30 alerts were triaged after four days.",
        ),
        (
            "CC7.2",
            "Inspected the on-call roster for every week.",
            "Exception noted. The roster had no engineer for 2 of 52 weeks.",
        ),
    ]
    first, second = result.findings
    assert first.id != second.id
    assert (
        first.control_description == second.control_description == "Security alerts are triaged within a day."
    )
    assert first.sample is not None and (first.sample.exceptions, first.sample.sample_size) == (3, 30)
    rec = result.reconciliation
    assert (rec.markers_found, rec.findings_extracted, rec.matched) == (2, 2, True)


def test_table_rows_spread_merged_cells_so_columns_line_up():
    from ingestion.extract.document import table_rows

    markup = (
        '<table><tr><td colspan="3">Title</td></tr>'
        '<tr><td rowspan="2">CC1.1</td><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr>'
        '<tr><td>CC1.2</td><td colspan="2">e</td></tr></table>'
    )
    assert table_rows(markup) == [
        ["Title", "", ""],
        ["CC1.1", "a", "b"],
        ["", "c", "d"],
        ["CC1.2", "e", ""],
    ]


def test_an_unreadable_table_that_reports_exceptions_is_a_loud_mismatch():
    # No column says which cell is the result, so the matrix extractor cannot read it; the
    # exhaustiveness check still counts the marker and warns instead of passing it by.
    markup = table(
        ["Area", "Observation"],
        ["Logical access", "Exception noted. 3 of 40 terminated users kept VPN access."],
        ["Backups", "No exceptions noted."],
    )
    result = _run(doc(("Title", "Section IV: Tests of Controls", 2), ("Table", markup, 2)))
    rec = result.reconciliation
    assert (rec.markers_found, rec.findings_extracted, rec.matched) == (1, 0, False)
    assert rec.unmatched_markers[0].page == 2
    assert "3 of 40 terminated users" in rec.unmatched_markers[0].snippet
