"""Text blocks of a PDF's text layer via pdfium: lines grouped into paragraphs/cells with their boxes.

pdfium reads a text layer far faster than pdfminer; the blocks it yields here are what unstructured's
`fast` strategy builds from pdfminer text boxes, and they are classified by unstructured the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pypdfium2 as pdfium

# Lines further apart than this many line heights start a new block.
_GAP_FACTOR = 0.75
# A left edge moving by more than this (points) starts a new block (next table column / indent change).
_INDENT_TOLERANCE = 4.0
# Text runs on one line closer than this (points) are one phrase; farther apart they are separate cells.
_SAME_LINE_GAP = 9.0
# A line whose height differs from the block's by more than this fraction is a different style (heading).
_HEIGHT_CHANGE = 0.25

_WS = re.compile(r"\s+")


@dataclass
class TextBlock:
    """A paragraph or table cell: its text and bounding box in PDF points (origin bottom-left)."""

    lines: list[str] = field(default_factory=list)
    left: float = 0.0
    bottom: float = 0.0
    right: float = 0.0
    top: float = 0.0
    line_height: float = 0.0
    last_top: float = 0.0
    last_bottom: float = 0.0
    last_right: float = 0.0

    @property
    def text(self) -> str:
        """Lines joined with spaces; a line ending in a hyphen is joined without one."""
        out = ""
        for line in self.lines:
            if not out:
                out = line
            elif out.endswith("-") and line[:1].islower():
                out += line
            else:
                out += " " + line
        return out


@dataclass
class PageText:
    """All blocks of one page."""

    number: int
    width: float
    height: float
    blocks: list[TextBlock]

    @property
    def chars(self) -> int:
        """Characters of text on the page."""
        return sum(len(b.text) for b in self.blocks)


def _clean(text: str) -> str:
    return _WS.sub(" ", text.replace("\x00", "")).strip()


def _page_blocks(page: pdfium.PdfPage) -> list[TextBlock]:
    textpage = page.get_textpage()
    try:
        blocks: list[TextBlock] = []
        current: TextBlock | None = None
        for i in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(i)
            text = _clean(textpage.get_text_bounded(left, bottom, right, top))
            if not text:
                continue
            height = max(top - bottom, 1.0)
            if current is not None:
                same_line = abs(top - current.last_top) < 0.5 * height and left >= current.last_right - 1
                if same_line and left - current.last_right <= _SAME_LINE_GAP:
                    current.lines[-1] += " " + text
                    current.right = max(current.right, right)
                    current.last_right = right
                    continue
                gap = current.last_bottom - top
                continues = (
                    not same_line
                    and -0.5 * height <= gap <= _GAP_FACTOR * max(current.line_height, height)
                    and abs(left - current.left) <= _INDENT_TOLERANCE
                    and abs(height - current.line_height) <= _HEIGHT_CHANGE * current.line_height
                )
                if continues:
                    current.lines.append(text)
                    current.left = min(current.left, left)
                    current.right = max(current.right, right)
                    current.bottom = min(current.bottom, bottom)
                    current.last_top, current.last_bottom, current.last_right = top, bottom, right
                    continue
            current = TextBlock(
                lines=[text],
                left=left,
                bottom=bottom,
                right=right,
                top=top,
                line_height=height,
                last_top=top,
                last_bottom=bottom,
                last_right=right,
            )
            blocks.append(current)
        return blocks
    finally:
        textpage.close()


def iter_pages(document: pdfium.PdfDocument, start: int = 0, stop: int | None = None) -> Iterator[PageText]:
    """Pages (1-based numbers) with their text blocks, in document order."""
    stop = len(document) if stop is None else min(stop, len(document))
    for index in range(start, stop):
        page = document[index]
        try:
            width, height = page.get_size()
            yield PageText(number=index + 1, width=width, height=height, blocks=_page_blocks(page))
        finally:
            page.close()
