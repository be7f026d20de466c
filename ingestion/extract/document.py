"""A cleaned view of a parsed document for extraction: body elements without page furniture, table rows."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from itertools import zip_longest

from ingestion.controlrefs import find_control_refs
from ingestion.elements import Element, ParsedDocument

# Categories unstructured gives to page furniture; they never hold audit content.
FURNITURE_CATEGORIES = {"Header", "Footer", "PageBreak", "PageNumber"}
# Result wording that means the test passed ("No exceptions noted.", "No deviations were noted").
NO_EXCEPTION = re.compile(
    r"^\W*(?:no\s+(?:exceptions?|deviations?)(?:\s+(?:were|was))?\s+(?:noted|identified|found)"
    r"|none\s+noted|n/?a|not\s+applicable)\W*$",
    re.IGNORECASE,
)
SECTION_HEADING = re.compile(r"^\s*section\s+(?:[IVX]+|\d+)\b", re.IGNORECASE)
RESPONSES_HEADING = re.compile(
    r"^\s*(?:section\s+(?:[IVX]+|\d+)\s*[:.–—-]\s*)?(?:other\s+information[^:]*:\s*)?"
    r"management'?s?\s+respons\w*\s+to\s+(?:the\s+)?(?:exceptions?|deviations?|(?:audit\s+)?findings?)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Block:
    """One body element with its position in reading order."""

    index: int
    element: Element
    text: str

    @property
    def page(self) -> int | None:
        """1-based page of the element, when known."""
        return self.element.page

    @property
    def is_table(self) -> bool:
        """True for a Table element carrying its HTML."""
        return self.element.category == "Table" and bool(self.element.table_html)


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def body_blocks(parsed: ParsedDocument) -> list[Block]:
    """Elements in reading order without headers, footers and lines repeated at page edges."""
    elements = [e for e in parsed.elements if e.category not in FURNITURE_CATEGORIES and e.text.strip()]
    # Running headers/footers the parser did not recognise: short texts that open or close at least three
    # pages with the same wording (digits ignored, so "Page 4" and "Page 5" are the same line).
    by_page: dict[int, list[Element]] = defaultdict(list)
    for element in elements:
        if element.page is not None:
            by_page[element.page].append(element)
    edge_pages: dict[str, set[int]] = defaultdict(set)
    for page, items in by_page.items():
        for element in {items[0].id: items[0], items[-1].id: items[-1]}.values():
            if len(element.text) <= 120 and element.category != "Table":
                edge_pages[_furniture_key(element.text)].add(page)
    # Result wording ("No exceptions noted.") often closes a page too; it is content, never furniture.
    needed = max(3, (len(by_page) + 1) // 2)
    repeated = {
        key
        for key, pages in edge_pages.items()
        if len(pages) >= needed and ":" not in key and not NO_EXCEPTION.match(key) and "exception" not in key
    }
    blocks: list[Block] = []
    for element in elements:
        if element.page is not None and _furniture_key(element.text) in repeated:
            edges = by_page[element.page]
            if element is edges[0] or element is edges[-1]:
                continue
        blocks.append(Block(index=len(blocks), element=element, text=" ".join(element.text.split())))
    return blocks


class _TableParser(HTMLParser):
    """Cells of an HTML table as (text, colspan, rowspan), row by row."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[tuple[str, int, int]]] = []
        self._cell: list[str] | None = None
        self._spans = (1, 1)

    @staticmethod
    def _span(attrs: list[tuple[str, str | None]], name: str) -> int:
        value = dict(attrs).get(name) or "1"
        return min(int(value), 100) if value.isdigit() and int(value) > 0 else 1

    def _open_row_if_needed(self) -> None:
        if not self.rows:
            self.rows.append([])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._open_row_if_needed()
            self._cell = []
            self._spans = (self._span(attrs, "colspan"), self._span(attrs, "rowspan"))
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("td", "th"):  # <td/> is an empty cell
            self._open_row_if_needed()
            self.rows[-1].append(("", self._span(attrs, "colspan"), self._span(attrs, "rowspan")))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append((" ".join("".join(self._cell).split()), *self._spans))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _grid(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """Rows with merged cells spread out, so a column index means the same column in every row.

    A merged cell's text stays in its first (top-left) position and the positions it covers are empty,
    which is how the extractors already read a row that continues the one above.
    """
    grid: list[list[str]] = []
    covered: dict[int, int] = {}  # column -> rows still covered by a cell merged from above

    def skip_covered(row: list[str]) -> None:
        while covered.get(len(row), 0) > 0:
            covered[len(row)] -= 1
            row.append("")

    for raw in rows:
        row: list[str] = []
        for text, colspan, rowspan in raw:
            skip_covered(row)
            for k in range(colspan):
                if rowspan > 1:
                    covered[len(row)] = rowspan - 1
                row.append(text if k == 0 else "")
        skip_covered(row)
        grid.append(row)
    return grid


def table_rows(html: str) -> list[list[str]]:
    """Cell texts of an HTML table, row by row, with merged cells spread over the columns they cover."""
    parser = _TableParser()
    parser.feed(html)
    parser.close()
    return [row for row in _grid(parser.rows) if any(cell for cell in row)]


@dataclass(frozen=True)
class MatrixColumns:
    """Which columns of a control matrix hold which field."""

    ref: int
    result: int
    description: int | None = None
    test: int | None = None
    response: int | None = None


def matrix_columns(header: list[str]) -> MatrixColumns | None:
    """Column roles from a header row that has a test-result column, or None for other tables."""
    lowered = [cell.lower() for cell in header]
    result = next((i for i, c in enumerate(lowered) if "result" in c), None)
    if result is None:
        return None
    ref = next(
        (
            i
            for i, c in enumerate(lowered)
            if re.search(r"\b(?:no\.?|number|#|ref(?:erence)?|id)\s*$|^criteri|^tsc\b|^ref", c)
        ),
        0,
    )
    response = next((i for i, c in enumerate(lowered) if "response" in c or "action plan" in c), None)
    test = next((i for i, c in enumerate(lowered) if "test" in c and i not in (result, ref)), None)
    description = next(
        (
            i
            for i, c in enumerate(lowered)
            if ("control" in c or "activit" in c or "description" in c)
            and i not in (result, ref, test, response)
        ),
        None,
    )
    return MatrixColumns(ref=ref, result=result, description=description, test=test, response=response)


_HEADER_SEARCH_ROWS = 3  # a matrix's header sits within its first rows (after at most a title row or two)
HEADER_CELL_MAX = 80  # header labels are short; a longer cell means data has started


def title_row(row: list[str]) -> bool:
    """A row with at most one filled cell: a caption or criteria title spanning the table."""
    return sum(1 for c in row if c) <= 1


def _continues_header(row: list[str]) -> bool:
    """A second header row: short labels only, no control reference and no test result."""
    filled = [c for c in row if c]
    if len(filled) < 1 or any(len(c) > HEADER_CELL_MAX for c in filled):
        return False
    text = " ".join(filled)
    return not find_control_refs(text) and "exception" not in text.lower() and not NO_EXCEPTION.match(text)


def locate_header(rows: list[list[str]]) -> tuple[MatrixColumns | None, int]:
    """Column roles of a control matrix and the index of its first data row, or (None, 0).

    Handles title rows above the header ("CC6.0 Logical and Physical Access" spanning the table) and
    headers written over two or three rows ("Tests Performed" / "by the Service Auditor").
    """
    for h in range(min(_HEADER_SEARCH_ROWS, len(rows))):
        row = rows[h]
        if title_row(row):
            continue
        if any(len(c) > HEADER_CELL_MAX for c in row):
            break  # data has started; a matrix header would have come first
        header, end = row, h + 1
        while end < len(rows) and end - h < _HEADER_SEARCH_ROWS and _continues_header(rows[end]):
            header = [" ".join(x for x in pair if x) for pair in zip_longest(header, rows[end], fillvalue="")]
            end += 1
        columns = matrix_columns(header)
        if columns is not None:
            return columns, end
        if find_control_refs(" ".join(row)):
            break
    return None, 0


def cell(row: list[str], index: int | None) -> str:
    """Text of a cell, empty when the row is short or the column is absent."""
    if index is None or index >= len(row):
        return ""
    return row[index]
