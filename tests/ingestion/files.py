"""Builders for small real documents (and deliberately bad ones) used by the ingestion tests."""

from __future__ import annotations

import zipfile
from pathlib import Path

# A small SOC 2-style report: one exception (CC6.2) with a management response, one clean control.
REPORT_MD = """# Section IV: Testing of Controls

Control No. CC6.2

Control activity: Network and application access of departing staff is disabled within one
business day.

Tests performed: Inspected the offboarding tickets of 25 departed employees selected at random.

Results of tests: Exception noted. For 2 of 25 departed employees sampled, network access stayed
enabled for four business days after the departure date.

Control No. CC7.1

Control activity: External vulnerability scans run weekly and critical results are ticketed.

Tests performed: Inspected scan schedules and a sample of tickets.

Results of tests: No exceptions noted.

# Section V: Management's response to exceptions

CC6.2: Offboarding now disables accounts automatically from the HR termination feed.
"""

CONTROLS = [
    (
        "CC6.1",
        "Logical access to production systems requires multi-factor authentication.",
        "No exceptions noted.",
    ),
    (
        "CC6.2",
        "Access for departing staff is removed within one business day of their last day.",
        "Exception noted: for 2 of 25 sampled leavers, access was removed after five business days.",
    ),
    ("A1.2", "Backups are taken nightly and restores are tested each quarter.", "No exceptions noted."),
    ("PP1.3", "Input to the billing system is validated against the order record.", "No exceptions noted."),
]


def make_pdf(path: Path, *, pages: int = 2, rows_per_page: int = 4) -> Path:
    """A text PDF: a heading, a paragraph and a control table repeated over `pages` pages."""
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table

    styles = getSampleStyleSheet()
    story: list[object] = []
    for page in range(1, pages + 1):
        story.append(Paragraph(f"Section {page}: Tests of Operating Effectiveness", styles["Heading1"]))
        story.append(
            Paragraph(
                "The service auditor inspected evidence for each control listed below and recorded the "
                f"result of the testing performed during the period (page {page}).",
                styles["BodyText"],
            )
        )
        rows = [["Control", "Description", "Result"]]
        for i in range(rows_per_page):
            ref, desc, result = CONTROLS[i % len(CONTROLS)]
            rows.append([ref, Paragraph(desc, styles["BodyText"]), Paragraph(result, styles["BodyText"])])
        story.append(Table(rows, colWidths=[60, 260, 180]))
        story.append(PageBreak())
    SimpleDocTemplate(str(path), pagesize=letter).build(story)
    return path


def make_image_only_pdf(path: Path) -> Path:
    """A PDF whose only page content is a drawn rectangle: no text layer at all (like a scan)."""
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    pdf.setFillGray(0.3)
    pdf.rect(72, 300, 400, 300, fill=1)
    pdf.showPage()
    pdf.save()
    return path


def make_encrypted_pdf(path: Path, source: Path) -> Path:
    """A copy of `source` that needs a user password to open."""
    import pikepdf

    with pikepdf.open(source) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user="reader-secret", owner="owner-secret", R=6))
    return path


def make_docx(path: Path) -> Path:
    """A DOCX with headings, paragraphs, a table and a page break."""
    import docx

    document = docx.Document()
    document.add_heading("Independent Service Auditor's Report", level=1)
    document.add_paragraph("We examined the description of the system and the suitability of its controls.")
    document.add_heading("Testing Results", level=2)
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Control", "Description", "Result"), strict=True):
        cell.text = text
    for ref, desc, result in CONTROLS:
        row = table.add_row().cells
        row[0].text, row[1].text, row[2].text = ref, desc, result
    document.add_page_break()
    heading = document.add_heading("Management's Response", level=2)
    # Word records where it laid out each page; unstructured numbers DOCX pages from these marks.
    from docx.oxml import OxmlElement

    heading.runs[0]._r.insert(0, OxmlElement("w:lastRenderedPageBreak"))
    document.add_paragraph("Management has automated the removal of access for departing staff.")
    document.save(str(path))
    return path


def make_xlsx(path: Path) -> Path:
    """An XLSX with a findings sheet."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Findings"
    sheet.append(["Control", "Description", "Result"])
    for row in CONTROLS:
        sheet.append(list(row))
    workbook.save(str(path))
    return path


def write(path: Path, data: str | bytes) -> Path:
    """Write text (UTF-8) or bytes to path."""
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


HTML_DOC = (
    "<!DOCTYPE html><html><head><title>Audit</title></head><body>"
    "<h1>Internal Audit Report</h1>"
    "<p>The audit reviewed how vendor invoices are approved before payment is released.</p>"
    "<table><tr><th>Control</th><th>Result</th></tr><tr><td>CC6.2</td><td>Exception noted</td></tr></table>"
    "</body></html>"
)
MARKDOWN_DOC = (
    "# Internal Audit Report\n\n"
    "The audit reviewed how vendor invoices are approved before payment is released.\n\n"
    "## Finding 1\n\n"
    "Condition: three invoices were paid without a second approval (CC6.2).\n"
)
TEXT_DOC = (
    "Internal Audit Report\n\n"
    "The audit reviewed how vendor invoices are approved before payment is released. Three invoices were "
    "paid without a second approval, contrary to the payments policy.\n"
)
CSV_DOC = (
    "control_ref,title,condition\nCC6.2,Late access removal,Access was removed late for 2 of 25 leavers\n"
    "A1.2,Restore test,The quarterly restore test was not performed in Q3\n"
)


def make_zip(path: Path, members: dict[str, bytes], *, content_types: str | None = None) -> Path:
    """A deflated zip with the given members and an optional [Content_Types].xml."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if content_types is not None:
            archive.writestr("[Content_Types].xml", content_types)
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def content_types(main: str) -> str:
    """A minimal [Content_Types].xml declaring `main` as the main part's content type."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
    )
