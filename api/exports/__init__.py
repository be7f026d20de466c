"""Audit exports: CSV, XLSX, JSON, Markdown and OSCAL POA&M, all built from the same records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from api.exports.oscal import to_oscal_poam
from api.exports.records import AuditExport
from api.exports.tabular import to_csv, to_xlsx
from api.exports.text import to_json, to_markdown


@dataclass(frozen=True)
class ExportFormat:
    """How one format is rendered and served."""

    render: Callable[[AuditExport], bytes]
    media_type: str
    extension: str


FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat(to_csv, "text/csv; charset=utf-8", "csv"),
    "xlsx": ExportFormat(
        to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    ),
    "json": ExportFormat(to_json, "application/json", "json"),
    "md": ExportFormat(to_markdown, "text/markdown; charset=utf-8", "md"),
    "oscal-poam": ExportFormat(to_oscal_poam, "application/json", "poam.json"),
}
