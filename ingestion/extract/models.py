"""Results of finding extraction: the findings and the reconciliation against exception markers."""

from __future__ import annotations

from pydantic import BaseModel, Field

from analyzer.models import Finding


class UnmatchedMarker(BaseModel):
    """An exception marker in the document that no extracted finding accounts for."""

    page: int | None = Field(default=None, description="1-based page of the marker, when known.")
    snippet: str = Field(description="Text around the marker (at most ~200 characters).")


class Reconciliation(BaseModel):
    """Exhaustiveness check: exception markers counted in the text versus findings extracted."""

    markers_found: int = Field(ge=0, description="Exception markers counted deterministically in the text.")
    findings_extracted: int = Field(ge=0, description="Findings the extractor produced.")
    matched: bool = Field(description="True when every marker is covered and the counts agree.")
    unmatched_markers: list[UnmatchedMarker] = Field(
        default_factory=list, description="Markers no finding covers (possible missed exceptions)."
    )
    warnings: list[str] = Field(default_factory=list, description="Human-readable reconciliation warnings.")


class ExtractionResult(BaseModel):
    """Everything extraction learned from one parsed document."""

    findings: list[Finding] = Field(default_factory=list, description="Findings in document order.")
    reconciliation: Reconciliation = Field(description="Markers versus findings for this document.")
