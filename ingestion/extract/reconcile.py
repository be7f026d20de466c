"""Exhaustiveness check: count exception markers without the extractors and compare with what they found."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingestion.extract._refs import leading_ref
from ingestion.extract.classic import is_continuation, is_finding_heading, label_of
from ingestion.extract.document import (
    NO_EXCEPTION,
    RESPONSES_HEADING,
    SECTION_HEADING,
    Block,
    cell,
    locate_header,
    table_rows,
)
from ingestion.extract.draft import Draft, row_key
from ingestion.extract.models import Reconciliation, UnmatchedMarker
from ingestion.extract.soc2_matrix import ROW_START

# "Exception noted", "exceptions were noted", "deviation noted" — but not "no exceptions noted".
EXCEPTION_NOTED = re.compile(
    r"\b(?P<no>no\s+)?(?:exceptions?|deviations?)\s+(?:(?:was|were)\s+)?(?:noted|identified)\b", re.IGNORECASE
)
RESULT_LABEL = re.compile(
    r"^\s*(?:results?\s+of\s+(?:tests?|testing)|test(?:ing)?\s+results?)\s*:\s*", re.IGNORECASE
)


@dataclass
class Marker:
    """One place where the document says an exception exists."""

    page: int | None
    snippet: str
    keys: set[str] = field(default_factory=set)


def _snippet(text: str, at: int = 0) -> str:
    start = max(0, at - 60)
    return text[start : start + 200].strip()


def _text_marker(text: str) -> int | None:
    """Offset of an exception marker in a text, or None."""
    label = RESULT_LABEL.match(text)
    if label:
        rest = text[label.end() :]
        return None if NO_EXCEPTION.match(rest) or not rest.strip() else label.end()
    for match in EXCEPTION_NOTED.finditer(text):
        if not match.group("no"):
            return match.start()
    return None


def count_markers(blocks: list[Block]) -> list[Marker]:
    """Exception markers in reading order, outside any management's-responses section."""
    markers: list[Marker] = []
    in_responses = False
    # A classic finding (numbered heading or condition label) is one marker; it absorbs its own text.
    region: Marker | None = None
    region_has_condition = False
    result_column: tuple[int, int] | None = None  # (column, width) of the last matrix table
    for block in blocks:
        text = block.text
        if not block.is_table and RESPONSES_HEADING.match(text) and leading_ref(text) is None:
            in_responses = True
            continue
        if not block.is_table and SECTION_HEADING.match(text):
            in_responses, region = False, None
        if in_responses:
            continue
        if block.is_table:
            region = None
            rows = table_rows(block.element.table_html or "")
            if not rows:
                continue
            columns, first = locate_header(rows)
            if columns is not None:
                result_column = (columns.result, len(rows[0]))
            elif result_column is not None and len(rows[0]) == result_column[1]:
                first = 0
            else:
                result_column = None
                # Not a matrix we can read by columns: its cells are still searched for the prose
                # markers, so an unrecognised table that reports exceptions shows up as a mismatch.
                for number, row in enumerate(rows):
                    for value in row:
                        at = _text_marker(value)
                        if at is not None:
                            key = row_key(block.element.id, number)
                            markers.append(Marker(page=block.page, snippet=_snippet(value, at), keys={key}))
                            break
                continue
            assert result_column is not None
            for number, row in enumerate(rows[first:], start=first):
                result = cell(row, result_column[0])
                if not result.strip() or NO_EXCEPTION.match(result):
                    continue
                # A row whose first cell is empty continues the row above (cut by a page break), unless
                # its result opens with an exception of its own (another test under a merged control).
                if not cell(row, 0).strip() and _text_marker(result) != 0:
                    continue
                if row in rows[:first]:
                    continue
                markers.append(
                    Marker(
                        page=block.page, snippet=_snippet(result), keys={row_key(block.element.id, number)}
                    )
                )
            continue
        heading = is_finding_heading(block)
        if heading and is_continuation(heading):
            if region is not None:
                region.keys.add(block.element.id)
            continue
        if heading:
            region = Marker(page=block.page, snippet=_snippet(text), keys={block.element.id})
            region_has_condition = False
            markers.append(region)
            continue
        labelled = label_of(text)
        if labelled is not None and labelled[0] == "text":
            if region is not None and not region_has_condition:
                region.keys.add(block.element.id)
            else:
                region = Marker(page=block.page, snippet=_snippet(text), keys={block.element.id})
                markers.append(region)
            region_has_condition = True
            continue
        if labelled is None and (block.element.category == "Title" or ROW_START.match(text)):
            region = None  # a heading that is no field label ends the classic finding being read
        at = _text_marker(text)
        if at is None:
            continue
        if region is not None:
            # "Exceptions noted" inside a classic finding's own write-up is that finding, not another one.
            region.keys.add(block.element.id)
        else:
            markers.append(Marker(page=block.page, snippet=_snippet(text, at), keys={block.element.id}))
    return markers


def reconcile(markers: list[Marker], drafts: list[Draft]) -> Reconciliation:
    """Compare markers with extracted findings; every disagreement becomes a warning."""
    covered: set[str] = set()
    for draft in drafts:
        covered |= draft.keys
    unmatched = [m for m in markers if not (m.keys & covered)]
    marker_keys: set[str] = set()
    for marker in markers:
        marker_keys |= marker.keys
    unmarked = [d for d in drafts if not (d.keys & marker_keys)]
    warnings: list[str] = []
    for marker in unmatched:
        where = f"page {marker.page}" if marker.page else "document"
        warnings.append(f"exception marker not extracted as a finding ({where}): {marker.snippet[:120]!r}")
    for draft in unmarked:
        name = draft.control_ref or draft.number or draft.text[:40]
        warnings.append(f"finding {name!r} has no exception marker in the text")
    if len(markers) != len(drafts):
        warnings.insert(0, f"{len(markers)} exception markers but {len(drafts)} findings extracted")
    return Reconciliation(
        markers_found=len(markers),
        findings_extracted=len(drafts),
        matched=not warnings,
        unmatched_markers=[UnmatchedMarker(page=m.page, snippet=m.snippet) for m in unmatched],
        warnings=warnings,
    )
