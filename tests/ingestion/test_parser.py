"""Real parsing of every supported format in the parser process, and one-line errors for bad files."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer.errors import IngestionError
from analyzer.models import DocumentKind
from analyzer.settings import Settings
from ingestion import filetypes as ft
from ingestion.controlrefs import find_control_refs
from ingestion.parser import SPLIT_MIN_PAGES, DocumentParser
from tests.ingestion import files

pytestmark = pytest.mark.slow  # starts real parser processes (unstructured + spaCy)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def parser(settings: Settings) -> Iterator[DocumentParser]:
    with DocumentParser(settings) as shared:
        yield shared


def _reason(parser: DocumentParser, path: Path) -> str:
    with pytest.raises(IngestionError) as info:
        parser.parse(path)
    assert str(info.value) == f"{path}: {info.value.reason}"
    assert "\n" not in str(info.value) and "Traceback" not in str(info.value)
    return info.value.reason


def test_pdf_gives_classified_elements_with_pages(parser: DocumentParser, tmp_path: Path) -> None:
    path = files.make_pdf(tmp_path / "report.pdf", pages=3)
    parsed = parser.parse(path, kind=DocumentKind.REPORT, filename="soc2.pdf")
    assert parsed.media_type == ft.PDF
    assert parsed.filename == "soc2.pdf"
    assert parsed.pages == 3
    assert {e.page for e in parsed.elements} == {1, 2, 3}
    titles = [e.text for e in parsed.elements if e.category == "Title"]
    assert "Section 2: Tests of Operating Effectiveness" in titles
    texts = [e.text for e in parsed.elements]
    # Table cells come out as their own elements, whole (lines of a cell joined), in reading order.
    assert (
        texts.count(
            "Exception noted: for 2 of 25 sampled leavers, access was removed after five business days."
        )
        == 3
    )
    narrative = next(e for e in parsed.elements if e.text.startswith("The service auditor inspected"))
    assert narrative.category == "NarrativeText"
    assert narrative.parent_id is not None  # under its section title
    assert len({e.id for e in parsed.elements}) == len(parsed.elements)
    assert len(parsed.content_hash) == 64
    # Same bytes, same element ids: ids are content hashes, so re-ingesting is stable.
    again = parser.parse(path)
    assert [e.id for e in again.elements] == [e.id for e in parsed.elements]


def test_a_long_pdf_split_across_workers_reads_like_one_pass(parser: DocumentParser, tmp_path: Path) -> None:
    path = files.make_pdf(tmp_path / "long.pdf", pages=SPLIT_MIN_PAGES + 2, rows_per_page=3)
    split = parser.parse(path)
    assert parser.last_diagnostics["workers"] == 2
    with DocumentParser(Settings(data_dir=tmp_path, parse_workers=1)) as single:
        whole = single.parse(path)
    assert split.pages == whole.pages == SPLIT_MIN_PAGES + 2
    assert [(e.id, e.category, e.text, e.page) for e in split.elements] == [
        (e.id, e.category, e.text, e.page) for e in whole.elements
    ]
    # The second range inherits the heading open at its first page, as a single pass would see it.
    assert [e.parent_id for e in split.elements] == [e.parent_id for e in whole.elements]


def test_docx_keeps_tables_and_pages(parser: DocumentParser, tmp_path: Path) -> None:
    parsed = parser.parse(files.make_docx(tmp_path / "report.bin"))
    assert parsed.media_type == ft.DOCX
    assert parsed.pages == 2
    tables = [e for e in parsed.elements if e.category == "Table"]
    assert len(tables) == 1
    assert tables[0].table_html is not None and "<td>CC6.2</td>" in tables[0].table_html
    assert find_control_refs(tables[0].text) == ["CC6.1", "CC6.2", "A1.2", "PI1.3"]
    response = next(e for e in parsed.elements if e.text.startswith("Management has automated"))
    assert response.page == 2
    assert any(e.category == "Title" and e.text == "Testing Results" for e in parsed.elements)


def test_xlsx_and_csv_become_tables(parser: DocumentParser, tmp_path: Path) -> None:
    sheet = parser.parse(files.make_xlsx(tmp_path / "f.xlsx"))
    assert sheet.media_type == ft.XLSX
    assert sheet.pages == 1
    table = next(e for e in sheet.elements if e.category == "Table")
    assert table.page == 1
    assert table.table_html is not None and "Access for departing staff" in table.table_html

    csv = parser.parse(files.write(tmp_path / "f.csv", files.CSV_DOC))
    assert csv.media_type == ft.CSV
    assert [e.category for e in csv.elements] == ["Table"]
    assert csv.elements[0].table_html is not None and "<td>A1.2</td>" in csv.elements[0].table_html


@pytest.mark.parametrize(
    ("content", "media_type"),
    [(files.HTML_DOC, ft.HTML), (files.MARKDOWN_DOC, ft.MARKDOWN), (files.TEXT_DOC, ft.TEXT)],
)
def test_text_formats(parser: DocumentParser, tmp_path: Path, content: str, media_type: str) -> None:
    parsed = parser.parse(files.write(tmp_path / "doc", content))
    assert parsed.media_type == media_type
    assert parsed.pages == 0
    categories = [e.category for e in parsed.elements]
    assert categories[0] == "Title"
    assert parsed.elements[0].text == "Internal Audit Report"
    assert "NarrativeText" in categories
    if media_type == ft.HTML:
        table = next(e for e in parsed.elements if e.category == "Table")
        assert table.table_html is not None and "CC6.2" in table.table_html


def test_encrypted_pdf(parser: DocumentParser, tmp_path: Path) -> None:
    source = files.make_pdf(tmp_path / "plain.pdf", pages=1)
    locked = files.make_encrypted_pdf(tmp_path / "locked.pdf", source)
    assert _reason(parser, locked) == "encrypted PDF: password-protected files are not supported"


def test_corrupt_pdf(parser: DocumentParser, tmp_path: Path) -> None:
    broken = files.write(tmp_path / "broken.pdf", b"%PDF-1.7\n" + os.urandom(3000))
    assert _reason(parser, broken).startswith("corrupt PDF (")


def test_pdf_without_text_layer(parser: DocumentParser, tmp_path: Path) -> None:
    scanned = files.make_image_only_pdf(tmp_path / "scan.pdf")
    assert _reason(parser, scanned) == "no text layer: scanned PDFs need OCR, which is not enabled"


def test_zero_elements_is_an_error_not_an_empty_result(parser: DocumentParser, tmp_path: Path) -> None:
    empty_html = files.write(tmp_path / "empty.html", "<html><body><div> </div><p></p></body></html>")
    assert _reason(parser, empty_html) == "parser found no text elements in a file that has content"


def test_json_is_not_parsed_as_a_document(parser: DocumentParser, tmp_path: Path) -> None:
    path = files.write(tmp_path / "list.json", '[{"a": 1}]')
    assert _reason(parser, path) == "JSON is read as a structured list of findings, not parsed as a document"


def test_bad_input_checks_run_before_the_parser(parser: DocumentParser, tmp_path: Path) -> None:
    assert _reason(parser, files.write(tmp_path / "x.pdf", os.urandom(512) + b"\x00")) == (
        "unsupported file type (binary data)"
    )
    assert _reason(parser, files.write(tmp_path / "y.pdf", b"")) == "empty file"


def test_worker_is_restarted_after_it_dies(parser: DocumentParser, tmp_path: Path) -> None:
    path = files.write(tmp_path / "a.txt", files.TEXT_DOC)
    parser.parse(path)
    first = parser.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while parser.pid is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    parsed = parser.parse(path)
    assert parsed.elements
    assert parser.pid not in (None, first)


def test_a_parse_over_the_time_limit_is_killed(tmp_path: Path) -> None:
    big = files.make_pdf(tmp_path / "big.pdf", pages=40, rows_per_page=8)
    hasty = Settings(data_dir=tmp_path, parse_timeout_s=0.05)
    with DocumentParser(hasty) as parser:
        reason = _reason(parser, big)
        assert reason == "parser timed out after 0.05s"
        assert parser.pid is None  # the worker was killed, not left running


def test_memory_limit_is_applied(parser: DocumentParser, settings: Settings, tmp_path: Path) -> None:
    parser.parse(files.write(tmp_path / "a.txt", files.TEXT_DOC))
    assert parser.ready_info["rlimit_as"] == settings.parse_memory_mb * 1024 * 1024
    # With an address space far too small for the parser, the worker fails cleanly, with a reason.
    starved = Settings(data_dir=tmp_path, parse_memory_mb=40)
    with DocumentParser(starved) as small:
        reason = _reason(small, files.write(tmp_path / "b.txt", files.TEXT_DOC))
    assert reason.startswith("parser could not start with its memory limit of 40 MiB (parser process exited")


def test_word_matrix_with_title_row_two_row_header_and_merged_cells(
    parser: DocumentParser, tmp_path: Path
) -> None:
    import docx

    from ingestion.extract import extract_findings

    document = docx.Document()
    document.add_heading("Section IV: Tests of Controls", 1)
    grid = document.add_table(rows=6, cols=4)
    grid.cell(0, 0).merge(grid.cell(0, 3)).text = "CC6.0 Logical and Physical Access Controls"
    for column, (top, bottom) in enumerate(
        [("Control", "No."), ("Control Activity", ""), ("Tests Performed", "by the Auditor"), ("Results", "")]
    ):
        grid.cell(1, column).text, grid.cell(2, column).text = top, bottom
    rows = [
        ("CC6.1", "Access requires MFA.", "Inspected MFA settings.", "No exceptions noted."),
        (
            "CC6.2",
            "New access is approved.",
            "Inspected 25 new users.",
            "Exception noted. 2 of 25 lacked approval.",
        ),
        ("", "", "Inspected the quarterly review.", "No exceptions noted."),
    ]
    for r, values in enumerate(rows, start=3):
        for c, value in enumerate(values):
            grid.cell(r, c).text = value
    grid.cell(4, 0).merge(grid.cell(5, 0)).text = "CC6.2"
    path = tmp_path / "matrix.docx"
    document.save(str(path))

    parsed = parser.parse(path)
    result = extract_findings(parsed, org_id="o", audit_id="a", document_id="d")
    assert [(f.control_ref, f.text) for f in result.findings] == [
        ("CC6.2", "Exception noted. 2 of 25 lacked approval.")
    ]
    assert result.reconciliation.markers_found == 1 and result.reconciliation.matched


def test_word_document_saved_with_rendered_page_breaks_gives_pages(
    parser: DocumentParser, tmp_path: Path
) -> None:
    # Word records where its layout broke pages (w:lastRenderedPageBreak); python-docx files have none,
    # which is why the generated samples carry no page numbers. With them, findings cite their page.
    import docx
    from docx.oxml import OxmlElement

    from ingestion.extract import extract_findings

    def page_break_before(paragraph: object) -> None:
        run = paragraph.add_run()  # type: ignore[attr-defined]
        run._r.append(OxmlElement("w:lastRenderedPageBreak"))

    document = docx.Document()
    document.add_heading("Section I: Independent Service Auditor's Report", 1)
    document.add_paragraph("We have examined the description of the system.")
    heading = document.add_heading("", 1)
    page_break_before(heading)
    heading.add_run("Section IV: Tests of Controls")
    grid = document.add_table(rows=3, cols=4)
    for c, value in enumerate(("Control No.", "Control Activity", "Tests Performed", "Results of Tests")):
        grid.cell(0, c).text = value
    for c, value in enumerate(
        ("CC6.1", "Access requires MFA.", "Inspected MFA settings.", "No exceptions noted.")
    ):
        grid.cell(1, c).text = value
    values = (
        "CC6.2",
        "New access is approved.",
        "Inspected 25 new users.",
        "Exception noted. 2 of 25 lacked approval.",
    )
    for c, value in enumerate(values):
        grid.cell(2, c).text = value
    path = tmp_path / "saved-by-word.docx"
    document.save(str(path))

    parsed = parser.parse(path)
    (finding,) = extract_findings(parsed, org_id="o", audit_id="a", document_id="d").findings
    assert (finding.control_ref, finding.page) == ("CC6.2", 2)


def test_pdf_grid_matrix_with_a_control_cell_spanning_two_tests(
    parser: DocumentParser, tmp_path: Path
) -> None:
    # The real parser on a drawn table: the spanned control cell is drawn once, so the second test of
    # CC7.2 reaches the extractor with no reference before it.
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    from ingestion.extract import extract_findings

    styles = getSampleStyleSheet()
    rows = [
        ["Control No.", "Control Activity", "Tests Performed", "Results of Tests"],
        [
            "CC7.1",
            "Vulnerability scans run weekly.",
            "Inspected 10 weekly scan reports.",
            "No exceptions noted.",
        ],
        [
            "CC7.2",
            "Security alerts are triaged within one business day.",
            "Inspected 30 alerts for their triage dates.",
            "Exception noted. 3 of 30 alerts were triaged after four days.",
        ],
        [
            "",
            "",
            "Inspected the on-call roster for every week of the period.",
            "Exception noted. No engineer was on call for 2 of 52 weeks.",
        ],
        [
            "CC7.3",
            "Incidents are closed with a review.",
            "Inspected the five incident reviews.",
            "No exceptions noted.",
        ],
    ]
    table = Table(
        [[Paragraph(text, styles["BodyText"]) for text in row] for row in rows],
        colWidths=[0.9 * inch, 1.9 * inch, 1.9 * inch, 1.9 * inch],
    )
    table.setStyle(
        TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("SPAN", (0, 2), (0, 3)), ("SPAN", (1, 2), (1, 3))]
        )
    )
    path = tmp_path / "merged.pdf"
    SimpleDocTemplate(str(path), pagesize=LETTER).build(
        [Paragraph("Section IV: Tests of Controls", styles["Heading1"]), table]
    )

    result = extract_findings(parser.parse(path), org_id="o", audit_id="a", document_id="d")
    assert [
        (f.control_ref, f.test_performed, f.sample.exceptions if f.sample else None) for f in result.findings
    ] == [
        ("CC7.2", "Inspected 30 alerts for their triage dates.", 3),
        ("CC7.2", "Inspected the on-call roster for every week of the period.", 2),
    ]
    assert {f.control_description for f in result.findings} == {
        "Security alerts are triaged within one business day."
    }
    rec = result.reconciliation
    assert (rec.markers_found, rec.findings_extracted, rec.matched) == (2, 2, True)
