"""The bundled sample reports, parsed once per test process with the product parser."""

from __future__ import annotations

import html
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from analyzer.settings import Settings
from ingestion.elements import Element, ParsedDocument
from ingestion.parser import DocumentParser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SOC2_PDF = EXAMPLES / "acme-soc2-type2-2025.pdf"
SOC2_TABLES_PDF = EXAMPLES / "acme-soc2-type2-2025-tables.pdf"
SOC2_DOCX = EXAMPLES / "acme-soc2-type2-2025.docx"
CLASSIC_DOCX = EXAMPLES / "acme-internal-audit-2025.docx"
IMPORT_CSV = EXAMPLES / "findings-import.csv"
IMPORT_JSON = EXAMPLES / "findings-import.json"


@cache
def parsed_samples() -> dict[str, ParsedDocument]:
    """PDF, DOCX and classic samples parsed by one parser worker (starting a worker costs seconds)."""
    with DocumentParser(Settings()) as parser:
        return {
            path.name: parser.parse(path) for path in (SOC2_PDF, SOC2_TABLES_PDF, SOC2_DOCX, CLASSIC_DOCX)
        }


def expected() -> dict[str, Any]:
    """Ground truth written by examples/make_samples.py."""
    return json.loads((EXAMPLES / "expected-findings.json").read_text(encoding="utf-8"))


def squash(text: str | None) -> str | None:
    """Whitespace-normalised text (extraction joins page-split fragments with single spaces)."""
    return None if text is None else " ".join(text.split())


def doc(
    *elements: tuple[str, str] | tuple[str, str, int | None], content_hash: str = "h" * 64
) -> ParsedDocument:
    """A parsed document from (category, text[, page]) tuples; "Table" texts are HTML."""
    items = []
    for number, spec in enumerate(elements):
        category, text = spec[0], spec[1]
        page = spec[2] if len(spec) > 2 else None
        markup = text if category == "Table" else None
        plain = html.unescape(re.sub(r"<[^>]+>", " ", text)) if markup else text
        items.append(Element(id=f"e{number}", category=category, text=plain, page=page, table_html=markup))
    return ParsedDocument(
        filename="synthetic.pdf", content_hash=content_hash, media_type="application/pdf", elements=items
    )


def table(*rows: list[str]) -> str:
    """HTML of a simple table."""
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table>{body}</table>"
