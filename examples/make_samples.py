"""Generate the bundled sample reports and imports, byte for byte the same on every run."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import classic_content as classic  # noqa: E402
import soc2_content as soc2  # noqa: E402
from docx import Document  # noqa: E402
from docx.enum.text import WD_BREAK  # noqa: E402
from docx.shared import Pt  # noqa: E402
from reportlab import rl_config  # noqa: E402
from reportlab.lib import colors  # noqa: E402
from reportlab.lib.pagesizes import LETTER  # noqa: E402
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet  # noqa: E402
from reportlab.lib.units import inch  # noqa: E402
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # noqa: E402

# Fixed timestamps keep the files byte-identical between runs, so content hashes and finding ids are stable.
FIXED_TIME = datetime(2025, 11, 14, 9, 0, 0)
MATRIX_HEADER = [
    "Control No.",
    "Control Activity Specified by Acme Ledger",
    "Tests Performed",
    "Results of Tests",
]
# The CC8.1 exception row is cut after this many characters of each cell in the DOCX, and continued in a
# second table after a page break, the way a row that runs over a page looks in many exported reports.
SPLIT_REF = "CC8.1"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --------------------------------------------------------------------------------------------- SOC 2 PDF
def build_soc2_pdf(path: Path) -> None:
    """SOC 2 Type II report as a text PDF; section IV rows are labelled paragraphs flowing over pages."""
    rl_config.invariant = 1
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=10, leading=13, spaceAfter=6)
    label = ParagraphStyle("label", parent=body, spaceAfter=2)
    h1 = ParagraphStyle("h1", parent=styles["Heading1"], fontSize=15, spaceAfter=10)
    h2 = ParagraphStyle("h2", parent=styles["Heading2"], fontSize=12, spaceBefore=10, spaceAfter=6)

    def furniture(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(inch, LETTER[1] - 0.6 * inch, soc2.RUNNING_HEADER)
        canvas.drawRightString(LETTER[0] - inch, 0.6 * inch, f"Page {doc.page}")
        canvas.restoreState()

    story: list[Any] = [
        Paragraph(_esc(f"{soc2.COMPANY}"), h1),
        Paragraph(_esc(f"SOC 2 Type II Report on the {soc2.SYSTEM}"), h2),
        Paragraph(
            _esc(f"Relevant to Security, Availability and Confidentiality for the period {soc2.PERIOD}"), body
        ),
        Paragraph(_esc(f"Prepared by {soc2.AUDITOR}"), body),
        PageBreak(),
    ]
    for heading, paragraphs in soc2.FRONT_SECTIONS:
        story.append(Paragraph(_esc(heading), h1))
        story.extend(Paragraph(_esc(p), body) for p in paragraphs)
        story.append(PageBreak())
    story.append(Paragraph(_esc(soc2.SECTION_IV), h1))
    story.extend(Paragraph(_esc(p), body) for p in soc2.SECTION_IV_INTRO)
    for _code, title, controls in soc2.GROUPS:
        story.append(Paragraph(_esc(title), h2))
        for control in controls:
            story.append(Paragraph(f"<b>Control No.:</b> {control.ref}", label))
            story.append(Paragraph(f"<b>Control Activity:</b> {_esc(control.activity)}", label))
            story.append(Paragraph(f"<b>Tests Performed:</b> {_esc(control.test)}", label))
            result = control.result or soc2.NO_EXCEPTIONS
            story.append(Paragraph(f"<b>Results of Tests:</b> {_esc(result)}", body))
            story.append(Spacer(1, 4))
    story.append(PageBreak())
    story.append(Paragraph(_esc(soc2.SECTION_V), h1))
    story.append(Paragraph(_esc(soc2.RESPONSES_HEADING), h2))
    story.append(Paragraph(_esc(soc2.RESPONSES_INTRO), body))
    for control in soc2.exceptions():
        story.append(Paragraph(f"<b>{control.ref}</b> Management's response:", label))
        story.append(Paragraph(_esc(control.response or ""), body))
    doc = SimpleDocTemplate(
        str(path),
        pagesize=LETTER,
        title=f"{soc2.COMPANY} SOC 2 Type II Report",
        author=soc2.AUDITOR,
        creator="auditlens examples",
        topMargin=0.9 * inch,
        bottomMargin=0.9 * inch,
    )
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)


def build_soc2_pdf_tables(path: Path) -> None:
    """The same report with section IV drawn as grid tables (one text block per cell in the text layer).

    Rows are allowed to split inside a cell at a page break and the header row repeats on every page,
    which is how long control matrices look in most auditor-produced PDFs.
    """
    rl_config.invariant = 1
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=10, leading=13, spaceAfter=6)
    small = ParagraphStyle("cell", parent=body, fontSize=8, leading=10, spaceAfter=0)
    h1 = ParagraphStyle("h1", parent=styles["Heading1"], fontSize=15, spaceAfter=10)
    h2 = ParagraphStyle("h2", parent=styles["Heading2"], fontSize=12, spaceBefore=10, spaceAfter=6)
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde4ee")),
        ]
    )

    def furniture(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(inch, LETTER[1] - 0.6 * inch, soc2.RUNNING_HEADER)
        canvas.drawRightString(LETTER[0] - inch, 0.6 * inch, f"Page {doc.page}")
        canvas.restoreState()

    def grid_table(rows: list[list[str]], widths: list[float]) -> Table:
        cells = [[Paragraph(_esc(text), small) for text in row] for row in rows]
        table = Table(cells, colWidths=widths, repeatRows=1, splitInRow=1)
        table.setStyle(grid)
        return table

    story: list[Any] = [
        Paragraph(_esc(soc2.COMPANY), h1),
        Paragraph(_esc(f"SOC 2 Type II Report on the {soc2.SYSTEM}"), h2),
        Paragraph(
            _esc(f"Relevant to Security, Availability and Confidentiality for the period {soc2.PERIOD}"), body
        ),
        PageBreak(),
    ]
    for heading, paragraphs in soc2.FRONT_SECTIONS:
        story.append(Paragraph(_esc(heading), h1))
        story.extend(Paragraph(_esc(p), body) for p in paragraphs)
        story.append(PageBreak())
    story.append(Paragraph(_esc(soc2.SECTION_IV), h1))
    story.extend(Paragraph(_esc(p), body) for p in soc2.SECTION_IV_INTRO)
    widths = [0.8 * inch, 1.9 * inch, 1.9 * inch, 1.9 * inch]
    for _code, title, controls in soc2.GROUPS:
        story.append(Paragraph(_esc(title), h2))
        rows = [MATRIX_HEADER] + [
            [c.ref, c.activity, c.test, c.result or soc2.NO_EXCEPTIONS] for c in controls
        ]
        story.append(grid_table(rows, widths))
    story.append(PageBreak())
    story.append(Paragraph(_esc(soc2.SECTION_V), h1))
    story.append(Paragraph(_esc(soc2.RESPONSES_HEADING), h2))
    story.append(Paragraph(_esc(soc2.RESPONSES_INTRO), body))
    responses = [["Control No.", "Management's Response"]] + [
        [c.ref, c.response or ""] for c in soc2.exceptions()
    ]
    story.append(grid_table(responses, [0.8 * inch, 5.7 * inch]))
    doc = SimpleDocTemplate(
        str(path),
        pagesize=LETTER,
        title=f"{soc2.COMPANY} SOC 2 Type II Report",
        author=soc2.AUDITOR,
        creator="auditlens examples",
        topMargin=0.9 * inch,
        bottomMargin=0.9 * inch,
    )
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)


# -------------------------------------------------------------------------------------------- SOC 2 DOCX
def _matrix_table(document: Any, rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, MATRIX_HEADER, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text


def _split(text: str) -> tuple[str, str]:
    """Cut a text in two at a word boundary near its middle."""
    middle = len(text) // 2
    cut = text.rfind(" ", 0, middle)
    return text[:cut], text[cut + 1 :]


def build_soc2_docx(path: Path) -> None:
    """The same SOC 2 Type II report as DOCX; section IV control matrices are real Word tables."""
    document = Document()
    document.styles["Normal"].font.size = Pt(10)
    document.sections[0].header.paragraphs[0].text = soc2.RUNNING_HEADER
    document.add_heading(soc2.COMPANY, level=0)
    document.add_paragraph(f"SOC 2 Type II Report on the {soc2.SYSTEM}")
    document.add_paragraph(
        f"Relevant to Security, Availability and Confidentiality for the period {soc2.PERIOD}"
    )
    document.add_paragraph(f"Prepared by {soc2.AUDITOR}")
    for heading, paragraphs in soc2.FRONT_SECTIONS:
        document.add_page_break()
        document.add_heading(heading, level=1)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    document.add_page_break()
    document.add_heading(soc2.SECTION_IV, level=1)
    for paragraph in soc2.SECTION_IV_INTRO:
        document.add_paragraph(paragraph)
    for _code, title, controls in soc2.GROUPS:
        document.add_heading(title, level=2)
        rows: list[list[str]] = []
        for control in controls:
            row = [control.ref, control.activity, control.test, control.result or soc2.NO_EXCEPTIONS]
            if control.ref == SPLIT_REF and control.result:
                # The row runs over a page: its first half closes this table, the rest opens the next.
                halves = [_split(cell) for cell in row[1:]]
                rows.append([control.ref, *(first for first, _ in halves)])
                _matrix_table(document, rows)
                document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
                rows = [["", *(second for _, second in halves)]]
                continue
            rows.append(row)
        _matrix_table(document, rows)
    document.add_page_break()
    document.add_heading(soc2.SECTION_V, level=1)
    document.add_heading(soc2.RESPONSES_HEADING, level=2)
    document.add_paragraph(soc2.RESPONSES_INTRO)
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text = "Control No."
    table.rows[0].cells[1].text = "Management's Response"
    for control in soc2.exceptions():
        cells = table.add_row().cells
        cells[0].text = control.ref
        cells[1].text = control.response or ""
    _save_docx(document, path)


# ------------------------------------------------------------------------------------------ classic DOCX
def build_classic_docx(path: Path) -> None:
    """Internal-audit report with findings in condition / criteria / cause / effect / recommendation form."""
    document = Document()
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(classic.TITLE, level=0)
    document.add_heading("Executive Summary", level=1)
    for paragraph in classic.INTRO:
        document.add_paragraph(paragraph)
    summary = document.add_table(rows=1, cols=3)
    summary.style = "Table Grid"
    for cell, text in zip(summary.rows[0].cells, ["No.", "Finding", "Rating"], strict=True):
        cell.text = text
    for finding, rating in zip(classic.FINDINGS, ["High", "High", "Medium", "Medium"], strict=True):
        cells = summary.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = finding.number, finding.title, rating
    document.add_page_break()
    document.add_heading(classic.FINDINGS_HEADING, level=1)
    for finding in classic.FINDINGS:
        document.add_heading(f"Finding {finding.number}: {finding.title}", level=2)
        if finding.control_ref:
            document.add_paragraph(f"Related control: {finding.control_ref}")
        parts = [
            ("Context", finding.context),
            ("Condition", finding.condition),
            ("Criteria", finding.criteria),
            ("Cause", finding.cause),
            ("Effect", finding.effect),
            ("Recommendation", finding.recommendation),
            (finding.response_label, finding.response),
        ]
        for name, text in parts:
            if not text:
                continue
            if finding.labels_on_own_line:
                document.add_heading(name, level=3)
                document.add_paragraph(text)
            else:
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{name}: ").bold = True
                paragraph.add_run(text)
    _save_docx(document, path)


def _save_docx(document: Any, path: Path) -> None:
    """Save a python-docx document with fixed zip timestamps and core properties (byte-stable output)."""
    props = document.core_properties
    props.author = "auditlens examples"
    props.created = props.modified = FIXED_TIME
    props.last_modified_by = "auditlens examples"
    props.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            stable = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            stable.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(stable, src.read(info.filename))
    path.write_bytes(out.getvalue())


# ------------------------------------------------------------------------------------------------ imports
IMPORT_HEADER = ["Finding ID", "Title", "Condition", "Criteria Ref", "Sample", "Corrective Action Plan"]
IMPORT_ROWS = [
    [
        "2024-01",
        "Stale service accounts",
        "Seven service accounts with production database rights had not been used for more than 180 "
        "days and had no documented owner.",
        "CC6.2",
        "7 of 52",
        "Service accounts will be assigned owners and unused accounts disabled by March 31, 2025.",
    ],
    [
        "2024-02",
        "Log retention shorter than policy",
        "Application audit logs were retained for 30 days, while the logging standard requires 365 days.",
        "CC7.2",
        "",
        "Retention has been raised to 400 days in the log platform; completed December 2024.",
    ],
    [
        "2024-03",
        "Missing encryption on a backup bucket",
        "",  # no condition text: this row cannot be imported
        "A1.2",
        "",
        "Encryption will be enabled.",
    ],
    [
        "2024-04",
        "Incident tabletop exercise not held",
        "The annual incident response tabletop exercise was not performed in 2024.",
        "CC7.4",
        "",
        "A tabletop exercise is scheduled for February 2025 with the executive team.",
    ],
    [
        "2024-05",
        "Customer deletion requests late",
        "For 2 of 10 customer data deletion requests tested, deletion was completed after the 30-day "
        "commitment.",
        "PP1.2",  # older reports numbered processing-integrity criteria PP; it imports as PI1.2
        "2 of 10",
        "A weekly report of open deletion requests is now reviewed by the privacy lead.",
    ],
]


def build_imports(csv_path: Path, json_path: Path) -> None:
    """A findings CSV (with one row missing its condition) and the same good rows as API-shaped JSON."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(IMPORT_HEADER)
    writer.writerows(IMPORT_ROWS)
    csv_path.write_text(buffer.getvalue(), encoding="utf-8")
    items = [
        {"title": row[1], "text": row[2], "control_ref": row[3], "management_response": row[5]}
        for row in IMPORT_ROWS
        if row[2]
    ]
    json_path.write_text(json.dumps(items, indent=2) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------- expected
def expected() -> dict[str, Any]:
    """Ground truth of what extraction must find in each sample, straight from the content modules."""

    def sample(value: tuple[int, int, str] | None) -> dict[str, Any] | None:
        return None if value is None else {"exceptions": value[0], "sample_size": value[1], "text": value[2]}

    soc2_findings = [
        {
            "control_ref": c.ref,
            "text": c.result,
            "sample": sample(c.sample),
            "management_response": c.response,
        }
        for c in soc2.exceptions()
    ]
    return {
        "soc2": {
            "controls": len(soc2.all_controls()),
            "findings": soc2_findings,
        },
        "classic": {
            "findings": [
                {
                    "number": f.number,
                    "title": f.title,
                    "control_ref": f.control_ref,
                    "text": f.condition,
                    "criteria": f.criteria,
                    "cause": f.cause,
                    "effect": f.effect,
                    "recommendation": f.recommendation,
                    "context": f.context,
                    "sample": sample(f.sample),
                    "management_response": f.response,
                }
                for f in classic.FINDINGS
            ]
        },
        "import": {
            "rows": len(IMPORT_ROWS),
            "bad_rows": [{"row": 4, "reason_contains": "text"}],
            "control_refs": [row[3].replace("PP", "PI") for row in IMPORT_ROWS if row[2]],
        },
    }


def build_all(out: Path) -> list[Path]:
    """Write every sample file into `out` and return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "pdf": out / "acme-soc2-type2-2025.pdf",
        "pdf_tables": out / "acme-soc2-type2-2025-tables.pdf",
        "docx": out / "acme-soc2-type2-2025.docx",
        "classic": out / "acme-internal-audit-2025.docx",
        "csv": out / "findings-import.csv",
        "json": out / "findings-import.json",
        "expected": out / "expected-findings.json",
    }
    build_soc2_pdf(paths["pdf"])
    build_soc2_pdf_tables(paths["pdf_tables"])
    build_soc2_docx(paths["docx"])
    build_classic_docx(paths["classic"])
    build_imports(paths["csv"], paths["json"])
    paths["expected"].write_text(json.dumps(expected(), indent=2) + "\n", encoding="utf-8")
    return list(paths.values())


def main() -> None:
    """Command-line entry: write the samples next to this script (or into --out)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=HERE, help="output directory (default: examples/)")
    args = parser.parse_args()
    for path in build_all(args.out):
        print(path)


if __name__ == "__main__":
    main()
