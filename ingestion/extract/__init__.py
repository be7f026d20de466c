"""Finding extraction: every exception an auditor noted in a parsed report, reconciled against the text."""

from __future__ import annotations

import logging

from analyzer.models import Finding
from ingestion.elements import ParsedDocument
from ingestion.extract.classic import extract_classic
from ingestion.extract.document import body_blocks
from ingestion.extract.draft import Draft
from ingestion.extract.ids import finding_id
from ingestion.extract.models import ExtractionResult, Reconciliation, UnmatchedMarker
from ingestion.extract.reconcile import count_markers, reconcile
from ingestion.extract.sample_facts import parse_sample
from ingestion.extract.soc2_matrix import attach_responses, collect_responses, extract_matrix
from ingestion.extract.structured_import import (
    FindingInput,
    ImportResult,
    NotAFindingsList,
    RowError,
    findings_from_inputs,
    import_findings,
)

__all__ = [
    "ExtractionResult",
    "FindingInput",
    "ImportResult",
    "NotAFindingsList",
    "Reconciliation",
    "RowError",
    "UnmatchedMarker",
    "extract_findings",
    "findings_from_inputs",
    "import_findings",
]

log = logging.getLogger(__name__)


def _keyed(drafts: list[Draft]) -> list[tuple[Draft, str]]:
    """Each draft with its key inside the document: finding number, else control ref and occurrence."""
    seen: dict[str, int] = {}
    keyed: list[tuple[Draft, str]] = []
    for position, draft in enumerate(drafts):
        base = draft.number or draft.control_ref or f"pos{position}"
        seen[base] = seen.get(base, 0) + 1
        keyed.append((draft, f"{base}#{seen[base]}"))
    return keyed


def extract_findings(
    parsed: ParsedDocument, *, org_id: str, audit_id: str, document_id: str | None
) -> ExtractionResult:
    """One finding per exception in a parsed report, plus the reconciliation against counted markers."""
    blocks = body_blocks(parsed)
    drafts = extract_matrix(blocks) + extract_classic(blocks)
    drafts.sort(key=lambda d: d.start)
    response_warnings = attach_responses(drafts, collect_responses(blocks))
    reconciliation = reconcile(count_markers(blocks), drafts)
    if response_warnings:
        # A response to an exception nobody extracted hints at a missed finding: that is a mismatch too.
        reconciliation.warnings.extend(response_warnings)
        reconciliation.matched = False
    findings = [
        Finding(
            id=finding_id(
                org_id=org_id,
                audit_id=audit_id,
                source=parsed.content_hash,
                layout=draft.layout.value,
                key=key,
            ),
            org_id=org_id,
            audit_id=audit_id,
            document_id=document_id,
            document=parsed.filename,
            page=draft.page,
            layout=draft.layout,
            ordinal=ordinal,
            control_ref=draft.control_ref,
            control_description=draft.control_description,
            test_performed=draft.test_performed,
            title=draft.title or _title(draft),
            text=draft.text,
            sample=parse_sample(draft.text),
            context=draft.context,
            criteria=draft.criteria,
            cause=draft.cause,
            effect=draft.effect,
            recommendation=draft.recommendation,
            management_response=draft.management_response,
            section=draft.section,
        )
        for ordinal, (draft, key) in enumerate(_keyed(drafts))
    ]
    for warning in reconciliation.warnings:
        log.warning("%s: %s", parsed.filename, warning)
    return ExtractionResult(findings=findings, reconciliation=reconciliation)


def _title(draft: Draft) -> str | None:
    """A short title for a matrix finding: the control reference and the first words of the control."""
    if draft.control_ref and draft.control_description:
        words = draft.control_description.split()
        short = " ".join(words[:10]) + ("…" if len(words) > 10 else "")
        return f"{draft.control_ref}: {short}"
    return draft.control_ref
