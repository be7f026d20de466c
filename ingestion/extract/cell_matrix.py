"""Control matrices drawn as tables in a PDF: the text layer yields one block per cell, row after row.

There is no table structure to read, so rows are recognised by a block holding only a control reference
(the first column) after a header row of column titles, and the cells of a row are assigned by content:
the result starts with the auditor's result wording; before it come the control and then the test.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ingestion.extract._refs import leading_ref
from ingestion.extract.document import HEADER_CELL_MAX, NO_EXCEPTION, Block, matrix_columns

# How a result cell opens ("No exceptions noted.", "Exceptions noted. For 2 of 25 ...", "Deviation noted").
RESULT_START = re.compile(
    r"^\s*(?:no\s+(?:exceptions?|deviations?)|(?:exceptions?|deviations?)\s+(?:(?:was|were)\s+)?"
    r"(?:noted|identified)|none\s+noted|not\s+tested|the\s+control\s+(?:did|was)\s+not)\b",
    re.IGNORECASE,
)
# How a test-procedure cell usually opens.
TEST_START = re.compile(
    r"^\s*(?:inspected|observed|inquired|compared|re-?performed|requested|examined|reviewed|obtained|"
    r"selected|tested|verified|traced|for\s+a\s+sample|inquiry|inspection|observation)\b",
    re.IGNORECASE,
)
_REF_TITLE = re.compile(r"\b(?:no\.?|number|#|ref(?:erence)?|id)\s*$|^(?:criteri|tsc\b|ref)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?)\"'”:;]\s*$")


@lru_cache(maxsize=4096)
def bare_ref(text: str) -> str | None:
    """The control reference when a block holds nothing else (a first-column cell), else None."""
    ref = leading_ref(text)
    if ref is None:
        return None
    rest = re.sub(r"^\s*(?:control\s*(?:no\.?|number|#|ref(?:erence)?|id)\s*[:.]?\s*)?\S+", "", text, count=1)
    return ref if not rest.strip(" .:;–—-") else None


def header_runs(blocks: list[Block]) -> dict[int, int]:
    """Start index → length of every run of blocks that reads as a control-matrix header row."""
    runs: dict[int, int] = {}
    for end, block in enumerate(blocks):
        if not bare_ref(block.text):
            continue
        fits: list[int] = []
        for width in range(3, 7):
            cells = blocks[end - width : end]
            if end - width < 0 or any(
                c.is_table or len(c.text) > HEADER_CELL_MAX or bare_ref(c.text) or c.index in runs
                for c in cells
            ):
                break
            columns = matrix_columns([c.text for c in cells])
            if (
                columns is not None
                and columns.result == width - 1  # the header ends with the result column
                and any("test" in c.text.lower() for c in cells)
            ):
                fits.append(width)
        # Prefer the run that opens with the reference column's title ("Control No."), so a heading
        # just above the table is not taken for a column title.
        opening = [w for w in fits if _REF_TITLE.search(blocks[end - w].text)]
        if opening or fits:
            width = (opening or fits)[0]
            runs[end - width] = width
    return runs


def assign_cells(cells: list[str], *, with_description: bool = True) -> dict[str, list[str]]:
    """Split a row's cell texts into description / test / result (cut cells are re-joined first).

    `with_description=False` reads a further test of the control above, whose cell holds no description.
    """
    merged: list[str] = []
    for text in cells:
        if merged and (text[:1].islower() or not _SENTENCE_END.search(merged[-1])):
            merged[-1] = f"{merged[-1]} {text}"  # the cell was cut in two (line style change, page break)
        else:
            merged.append(text)
    result_at = next((i for i, text in enumerate(merged) if RESULT_START.match(text)), None)
    if result_at is None:
        result_at = len(merged) - 1 if len(merged) >= 3 else len(merged)
    before, result = merged[:result_at], merged[result_at:]
    test_at = next((i for i, text in enumerate(before) if i > 0 and TEST_START.match(text)), None)
    if not with_description:
        test_at = 0
    elif test_at is None:
        test_at = 1 if before else 0
    fields = {"description": before[:test_at], "test": before[test_at:], "result": result}
    return {name: parts for name, parts in fields.items() if parts}


def result_complete(parts: list[str]) -> bool:
    """True when a result reads as a pass that is complete (nothing can follow it in the same cell)."""
    return bool(parts) and bool(NO_EXCEPTION.match(" ".join(parts)))
