"""A finding as found in a document, before it gets its id and owner (shared by the layout extractors)."""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzer.models import FindingLayout


@dataclass
class Draft:
    """Fields of one finding plus the element keys it was read from (for reconciliation)."""

    layout: FindingLayout
    start: int  # index of the first body block, for reading order
    page: int | None = None
    control_ref: str | None = None
    number: str | None = None  # finding number such as 2025-001, when the report gives one
    title: str | None = None
    control_description: str | None = None
    test_performed: str | None = None
    text: str = ""
    context: str | None = None
    criteria: str | None = None
    cause: str | None = None
    effect: str | None = None
    recommendation: str | None = None
    management_response: str | None = None
    section: str | None = None
    keys: set[str] = field(default_factory=set)


def join(parts: list[str]) -> str | None:
    """Fragments of one field joined with single spaces (page breaks split paragraphs), or None if empty."""
    text = " ".join(part.strip() for part in parts if part.strip())
    return text or None


def row_key(element_id: str, row: int) -> str:
    """Reconciliation key of one table row."""
    return f"{element_id}#r{row}"
