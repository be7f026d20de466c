"""CSV and XLSX: one row per finding."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from api.exports.records import AuditExport, flat_row

COLUMNS = [
    "finding_id",
    "control",
    "title",
    "finding",
    "exception_type",
    "root_causes",
    "severity",
    "plan_summary",
    "plan_steps",
    "owner_roles",
    "due_dates",
    "status",
    "reviewer",
    "approved_by",
    "approved_at",
    "analyzer",
]


def cell(value: object) -> str:
    """Cell text that a spreadsheet will not run as a formula (report text is untrusted)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(export: AuditExport) -> bytes:
    """CSV with a header row, UTF-8 with BOM so spreadsheet apps detect the encoding."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for record in export.records:
        writer.writerow({k: cell(v) for k, v in flat_row(record).items()})
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(export: AuditExport) -> bytes:
    """One worksheet with a bold header and wrapped text."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Findings"
    sheet.append(COLUMNS)
    for column in sheet[1]:
        column.font = Font(bold=True)
    for record in export.records:
        row = flat_row(record)
        sheet.append([cell(row[c]) for c in COLUMNS])
    for row in sheet.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
