"""Parsed-document model: what the parser subprocess hands back (unstructured elements, serialisable)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from analyzer.models import DocumentKind


class Element(BaseModel):
    """One unstructured element (Title, NarrativeText, ListItem, Table, ...) in reading order."""

    id: str = Field(description="unstructured element id.")
    category: str = Field(description="unstructured category, e.g. Title, NarrativeText, Table.")
    text: str = Field(description="Element text.")
    page: int | None = Field(default=None, description="1-based page number, when the format has pages.")
    parent_id: str | None = Field(default=None, description="Id of the enclosing Title element, if any.")
    table_html: str | None = Field(default=None, description="HTML of a Table element (rows and cells).")


class ParsedDocument(BaseModel):
    """A whole parsed file."""

    filename: str = Field(description="Client file name (metadata only).")
    content_hash: str = Field(description="SHA-256 of the file bytes.")
    media_type: str = Field(description="Media type decided from the content.")
    kind: DocumentKind = Field(default=DocumentKind.REPORT, description="report / evidence / policy.")
    pages: int = Field(default=0, ge=0, description="Page count (0 for formats without pages).")
    elements: list[Element] = Field(default_factory=list, description="Elements in reading order.")
